/**
 * Recording a workbench's run and replaying one (the format: core/record.ts). Both need
 * deterministic mode: a recording's virtual times mean something only where virtual time comes
 * from instruction counts.
 *
 * The run loops deliver input between scheduler runs, where virtual time sits on a window
 * boundary; a replay runs up to each recorded time (`until`), which is a boundary of the same
 * window grid, and delivers the same bytes there — so it sees what the original run saw.
 */
import { resolve } from 'node:path'
import type { Workbench } from './api.ts'
import type { Vm } from './hypervisor/vm.ts'
import { imagePaths } from './session/sources.ts'
import { readRecording, Recorder, RecordingError, RECORDING_FORMAT, RECORDING_VERSION, sourceHashes, type Recording } from './record.ts'

function imagesOf(wb: Workbench): string[] {
  return imagePaths(wb.hypervisor?.config.vms ?? [])
}

function needDeterministic(wb: Workbench, what: string): void {
  if (wb.clock !== 'deterministic') throw new RecordingError(what, 'record and replay need deterministic mode (--deterministic)')
  if (!wb.hypervisor || !wb.origin.config) throw new RecordingError(what, 'record and replay work on a config run (not bare mode)')
}

/** Start recording `wb`'s input into `file`; call `end` when the run ends. */
export function startRecording(wb: Workbench, file: string): Recorder {
  needDeterministic(wb, file)
  const m = wb.machine, hv = wb.hypervisor!
  const rec = new Recorder(file, {
    format: RECORDING_FORMAT, version: RECORDING_VERSION, config: wb.origin.config!,
    ...sourceHashes(wb.origin.config!, imagesOf(wb)), board: m.board.name, start: m.sched.now,
  })
  const watch = (vm: Vm): void => { vm.console.onInput((bytes) => rec.input(m.sched.now, vm.name, bytes)) }
  for (const vm of hv.vms) watch(vm)
  hv.onVmCreated(watch)
  wb.onCall = (call, args) => rec.call(m.sched.now, call, args)
  return rec
}

/** A recording being replayed on a workbench booted from its config. */
export class Replayer {
  private next = 0
  readonly rec: Recording

  constructor(private readonly wb: Workbench, file: string) {
    this.rec = readRecording(file)
    needDeterministic(wb, file)
    const h = this.rec.header
    if (resolve(h.config) !== resolve(wb.origin.config!)) throw new RecordingError(file, `recorded on config ${h.config}, not ${wb.origin.config}`)
    const now = sourceHashes(wb.origin.config!, imagesOf(wb))
    if (now.configSha256 !== h.configSha256) throw new RecordingError(file, `config ${h.config} changed since the recording (sha256 differs)`)
    for (const img of h.images) {
      const cur = now.images.find((i) => resolve(i.path) === resolve(img.path))
      if (!cur || cur.sha256 !== img.sha256) throw new RecordingError(file, `image ${img.path} changed since the recording (sha256 differs)`)
    }
    if (h.start !== wb.machine.sched.now) throw new RecordingError(file, `recorded from virtual time ${h.start}, the machine is at ${wb.machine.sched.now}`)
  }

  /** virtual time of the next recorded event, or of the recorded end */
  get nextTime(): number {
    return this.rec.events[this.next]?.t ?? this.rec.end
  }

  get done(): boolean {
    return this.next >= this.rec.events.length && this.wb.machine.sched.now >= this.rec.end
  }

  /** Deliver every event due at the machine's time now (call when a run stopped at `nextTime`). */
  deliver(): void {
    const now = this.wb.machine.sched.now
    const hv = this.wb.hypervisor!
    for (let e = this.rec.events[this.next]; e && e.t <= now; e = this.rec.events[++this.next]) {
      if ('vm' in e) {
        const vm = hv.vms.find((v) => v.name === e.vm)
        if (!vm) throw new RecordingError('replay', `at t ${e.t}: no VM named ${e.vm} (the run went another way)`)
        vm.console.send(e.input)
      } else this.wb.replayCall(e.call, e.args)
    }
  }
}
