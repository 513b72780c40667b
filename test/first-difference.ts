/** "first difference at line N" with both lines, so a failing output comparison reads without scrolling a diff. */
export function firstDifference(expected: string, actual: string, labels: [string, string] = ['expected', 'actual']): string {
  const e = expected.split('\n')
  const a = actual.split('\n')
  const w = Math.max(labels[0].length, labels[1].length) + 1
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const show = (s: string | undefined) => (s === undefined ? '<end of output>' : JSON.stringify(s))
      return `first difference at line ${i + 1}:\n  ${(labels[0] + ':').padEnd(w)} ${show(e[i])}\n  ${(labels[1] + ':').padEnd(w)} ${show(a[i])}`
    }
  }
  return 'outputs are identical'
}
