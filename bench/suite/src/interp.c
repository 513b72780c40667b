/* A bytecode interpreter: a stack machine with 28 opcodes dispatched by one switch, running
 * three programs written in its bytecode (sieve of Eratosthenes, an LCG-driven histogram and
 * recursive Fibonacci through CALL/RET). */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 6
#endif
#define FIB_N 22

enum op {
  PUSH, POP, DUP, SWAP, OVER, ADD, SUB, MUL, DIVU, MODU, AND, OR, XOR, SHL, SHR,
  LOAD, STORE, LOADI, STOREI, JMP, JZ, JNZ, LT, EQ, CALL, RET, INC, HALT,
};

struct vm {
  int64_t stack[256];
  int64_t mem[8192];
  uint32_t rstack[256];
};

static struct vm vm;

static int64_t run(const int32_t *code, uint64_t *steps) {
  int64_t *sp = vm.stack; /* points at the top element */
  uint32_t *rp = vm.rstack;
  uint32_t pc = 0;
  uint64_t n = 0;
  for (;;) {
    int32_t op = code[pc++];
    n++;
    switch (op) {
    case PUSH: *++sp = code[pc++]; break;
    case POP: sp--; break;
    case DUP: sp[1] = sp[0]; sp++; break;
    case SWAP: { int64_t t = sp[0]; sp[0] = sp[-1]; sp[-1] = t; break; }
    case OVER: sp[1] = sp[-1]; sp++; break;
    case ADD: sp[-1] += sp[0]; sp--; break;
    case SUB: sp[-1] -= sp[0]; sp--; break;
    case MUL: sp[-1] *= sp[0]; sp--; break;
    case DIVU: sp[-1] = sp[0] ? (int64_t)((uint64_t)sp[-1] / (uint64_t)sp[0]) : -1; sp--; break;
    case MODU: sp[-1] = sp[0] ? (int64_t)((uint64_t)sp[-1] % (uint64_t)sp[0]) : sp[-1]; sp--; break;
    case AND: sp[-1] &= sp[0]; sp--; break;
    case OR: sp[-1] |= sp[0]; sp--; break;
    case XOR: sp[-1] ^= sp[0]; sp--; break;
    case SHL: sp[-1] = (int64_t)((uint64_t)sp[-1] << (sp[0] & 63)); sp--; break;
    case SHR: sp[-1] = (int64_t)((uint64_t)sp[-1] >> (sp[0] & 63)); sp--; break;
    case LOAD: *++sp = vm.mem[code[pc++] & 8191]; break;
    case STORE: vm.mem[code[pc++] & 8191] = *sp--; break;
    case LOADI: sp[0] = vm.mem[sp[0] & 8191]; break;
    case STOREI: vm.mem[sp[0] & 8191] = sp[-1]; sp -= 2; break; /* ( value addr -- ) */
    case JMP: pc = (uint32_t)code[pc]; break;
    case JZ: pc = *sp-- == 0 ? (uint32_t)code[pc] : pc + 1; break;
    case JNZ: pc = *sp-- != 0 ? (uint32_t)code[pc] : pc + 1; break;
    case LT: sp[-1] = sp[-1] < sp[0]; sp--; break;
    case EQ: sp[-1] = sp[-1] == sp[0]; sp--; break;
    case CALL: *++rp = pc + 1; pc = (uint32_t)code[pc]; break;
    case RET: pc = *rp--; break;
    case INC: vm.mem[code[pc] & 8191]++; pc++; break;
    case HALT: *steps += n; return *sp;
    default: *steps += n; return -1;
    }
  }
}

/* memory cells: 0..15 variables, 1024.. the sieve / histogram array */
enum { I = 0, J = 1, CNT = 2, X = 3, K = 4, ARR = 1024, SIEVE_N = 6000 };

/* ---- a one-pass assembler with forward labels ---- */
struct asm_ {
  int32_t *code;
  int n;
  int label[16];
  int fix_at[32], fix_label[32], nfix;
};

static void e(struct asm_ *a, int32_t v) { a->code[a->n++] = v; }
static void e2(struct asm_ *a, int32_t op, int32_t arg) { e(a, op); e(a, arg); }
static void here(struct asm_ *a, int l) { a->label[l] = a->n; }
static void jump(struct asm_ *a, int32_t op, int l) {
  e(a, op);
  a->fix_at[a->nfix] = a->n;
  a->fix_label[a->nfix++] = l;
  e(a, 0);
}
static void link_(struct asm_ *a) {
  for (int i = 0; i < a->nfix; i++) a->code[a->fix_at[i]] = a->label[a->fix_label[i]];
}

static int32_t sieve[128], histo[128], fib[64];

/* count the primes below SIEVE_N */
static void build_sieve(void) {
  struct asm_ a = {.code = sieve};
  e2(&a, PUSH, 0); e2(&a, STORE, I);
  here(&a, 0); /* for i < N: mem[ARR+i] = 1 */
  e2(&a, LOAD, I); e2(&a, PUSH, SIEVE_N); e(&a, LT); jump(&a, JZ, 1);
  e2(&a, PUSH, 1); e2(&a, LOAD, I); e2(&a, PUSH, ARR); e(&a, ADD); e(&a, STOREI);
  e2(&a, INC, I); jump(&a, JMP, 0);
  here(&a, 1);
  e2(&a, PUSH, 2); e2(&a, STORE, I); e2(&a, PUSH, 0); e2(&a, STORE, CNT);
  here(&a, 2); /* while i < N */
  e2(&a, LOAD, I); e2(&a, PUSH, SIEVE_N); e(&a, LT); jump(&a, JZ, 5);
  e2(&a, LOAD, I); e2(&a, PUSH, ARR); e(&a, ADD); e(&a, LOADI); jump(&a, JZ, 4);
  e2(&a, INC, CNT); e2(&a, LOAD, I); e(&a, DUP); e(&a, MUL); e2(&a, STORE, J);
  here(&a, 3); /* while j < N: mem[ARR+j] = 0, j += i */
  e2(&a, LOAD, J); e2(&a, PUSH, SIEVE_N); e(&a, LT); jump(&a, JZ, 4);
  e2(&a, PUSH, 0); e2(&a, LOAD, J); e2(&a, PUSH, ARR); e(&a, ADD); e(&a, STOREI);
  e2(&a, LOAD, J); e2(&a, LOAD, I); e(&a, ADD); e2(&a, STORE, J); jump(&a, JMP, 3);
  here(&a, 4);
  e2(&a, INC, I); jump(&a, JMP, 2);
  here(&a, 5);
  e2(&a, LOAD, CNT); e(&a, HALT);
  link_(&a);
}

/* 20000 LCG steps binned into 64 buckets, then a polynomial hash of the bins */
static void build_histo(void) {
  struct asm_ a = {.code = histo};
  e2(&a, PUSH, 12345); e2(&a, STORE, X); e2(&a, PUSH, 0); e2(&a, STORE, K);
  here(&a, 0);
  e2(&a, LOAD, K); e2(&a, PUSH, 20000); e(&a, LT); jump(&a, JZ, 1);
  e2(&a, LOAD, X); e2(&a, PUSH, 1103515245); e(&a, MUL); e2(&a, PUSH, 12345); e(&a, ADD);
  e2(&a, PUSH, 0x7fffffff); e(&a, AND); e(&a, DUP); e2(&a, STORE, X);
  e2(&a, PUSH, 16); e(&a, SHR); e2(&a, PUSH, 64); e(&a, MODU); e2(&a, PUSH, ARR); e(&a, ADD);
  e(&a, DUP); e(&a, LOADI); e2(&a, PUSH, 1); e(&a, ADD); e(&a, SWAP); e(&a, STOREI);
  e2(&a, INC, K); jump(&a, JMP, 0);
  here(&a, 1);
  e2(&a, PUSH, 0); e2(&a, STORE, CNT); e2(&a, PUSH, 0); e2(&a, STORE, I);
  here(&a, 2);
  e2(&a, LOAD, I); e2(&a, PUSH, 64); e(&a, LT); jump(&a, JZ, 3);
  e2(&a, LOAD, CNT); e2(&a, PUSH, 31); e(&a, MUL); e2(&a, LOAD, I); e2(&a, PUSH, ARR); e(&a, ADD);
  e(&a, LOADI); e(&a, ADD); e2(&a, STORE, CNT); e2(&a, INC, I); jump(&a, JMP, 2);
  here(&a, 3);
  e2(&a, LOAD, CNT); e(&a, HALT);
  link_(&a);
}

/* fib(n) recursively: CALL with n on the stack, the result replaces it */
static void build_fib(int n) {
  struct asm_ a = {.code = fib};
  e2(&a, PUSH, n); jump(&a, CALL, 0); e(&a, HALT);
  here(&a, 0);
  e(&a, DUP); e2(&a, PUSH, 2); e(&a, LT); jump(&a, JNZ, 1);
  e(&a, DUP); e2(&a, PUSH, 1); e(&a, SUB); jump(&a, CALL, 0);
  e(&a, SWAP); e2(&a, PUSH, 2); e(&a, SUB); jump(&a, CALL, 0); e(&a, ADD);
  here(&a, 1);
  e(&a, RET);
  link_(&a);
}

int main(void) {
  uint64_t sum = 0, steps = 0;
  build_sieve();
  build_histo();
  build_fib(FIB_N);
  int64_t primes = 0, hist = 0, f = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < 8192; i++) vm.mem[i] = 0;
    primes = run(sieve, &steps);
    sum = mix64(sum, (uint64_t)primes);
    for (int i = 0; i < 8192; i++) vm.mem[i] = 0;
    hist = run(histo, &steps);
    sum = mix64(sum, (uint64_t)hist);
    f = run(fib, &steps);
    sum = mix64(sum, (uint64_t)f);
  }
  rt_printf("interp: primes below %d = %ld, histogram %ld, fib(%d) = %ld, %lu bytecodes\n",
            SIEVE_N, (long)primes, (long)hist, FIB_N, (long)f, (unsigned long)steps);
  rt_checksum("interp", sum);
  return 0;
}
