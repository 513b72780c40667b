#!/usr/bin/env python3
"""Random differential tests of the FP/AdvSIMD unit against QEMU (not part of the normal test run).

  python3 fuzz.py fp|int SEED COUNT > X.S

writes an image source (macros.inc, vmacros.inc, linked with lib.S and vlib.S) of COUNT random
instructions: `fp` draws floating-point operations (scalar and vector, every FPCR mode, operands
from special values, random bits and random normals), `int` AdvSIMD integer operations on random
lanes. `make fuzz` builds one, records QEMU's output and ../fp-fuzz.test.ts compares.
"""
import random, sys


def fp_cases(N):
    S = [0,0x80000000,0x3f800000,0xbf800000,0x3fc00000,0x7f7fffff,0xff7fffff,0x00800000,0x80800000,1,0x7fffff,0x400000,0x80000001,
         0x7f800000,0xff800000,0x7fc00000,0x7fc12345,0xffc00001,0x7f800001,0xff812345,0x3f000000,0x40200000,0xc0200000,0x477fe000,0x477ff000,
         0x4f000000,0xcf000000,0x4f800000,0x5f000000,0xdf000000,0x5f800000,0x4effffff,0x3effffff,0x33800000,0x0c000000,0x72000000,0x00ffffff]
    D = [0,1<<63,0x3ff0000000000000,0xbff0000000000000,0x3ff8000000000000,0x7fefffffffffffff,0xffefffffffffffff,0x0010000000000000,1,
         0x000fffffffffffff,0x8008000000000000,0x7ff0000000000000,0xfff0000000000000,0x7ff8000000000000,0x7ff8000000001234,0xfff8000000000001,
         0x7ff0000000000001,0xfff0000000012345,0x3fe0000000000000,0x4004000000000000,0xc004000000000000,0x41e0000000000000,0xc1e0000000000000,
         0x41f0000000000000,0x43e0000000000000,0xc3e0000000000000,0x43f0000000000000,0x41dfffffffffffff,0x3fdfffffffffffff,0x3ca0000000000000,
         0x36a0000000000000,0x47efffffe0000000,0x47effffff0000000,0x380fffffffffffff,0x3810000000000000]
    def rs():
        r = random.random()
        if r < 0.6: return random.choice(S)
        if r < 0.8: return random.getrandbits(32)
        e = random.randint(90, 160); return (random.getrandbits(1)<<31)|(e<<23)|random.getrandbits(23)
    def rd():
        r = random.random()
        if r < 0.6: return random.choice(D)
        if r < 0.8: return random.getrandbits(64)
        e = random.randint(950, 1100); return (random.getrandbits(1)<<63)|(e<<52)|random.getrandbits(52)
    def vs(): return [rs() for _ in range(4)]
    def vd(): return [rd() for _ in range(2)]
    def q(lanes, w): 
        v = 0
        for i, x in enumerate(lanes): v |= x << (w*i)
        return v & ((1<<64)-1), v >> 64
    FPCRS = [0, 0x400000, 0x800000, 0xc00000, 0x1000000, 0x2000000, 0x3000000, 0x4000000, 0x1c00000, 0x5400000]
    S2 = ['fadd','fsub','fmul','fdiv','fmax','fmin','fmaxnm','fminnm','fmulx','frecps','frsqrts','fabd','facge','facgt','fcmeq','fcmge','fcmgt','fmla','fmls','faddp','fmaxp','fminp','fmaxnmp','fminnmp']
    U1 = ['fsqrt','fabs','fneg','frintn','frintp','frintm','frintz','frinta','frintx','frinti','fcvtns','fcvtnu','fcvtps','fcvtpu','fcvtms','fcvtmu','fcvtzs','fcvtzu','fcvtas','fcvtau','scvtf','ucvtf','frecpe','frsqrte']
    SC2 = ['fadd','fsub','fmul','fdiv','fmax','fmin','fmaxnm','fminnm','fnmul','fmulx','frecps','frsqrts','fabd','facge','facgt','fcmeq','fcmge','fcmgt']
    SC1 = ['fsqrt','fabs','fneg','frintn','frintp','frintm','frintz','frinta','frintx','frinti','frecpe','frsqrte','frecpx','fcvtns','fcvtzu','scvtf','ucvtf']
    out = []
    for i in range(N):
        dbl = random.random() < 0.45
        a, b, c = (vd(), vd(), vd()) if dbl else (vs(), vs(), vs())
        w = 64 if dbl else 32
        for r, v in ((1, a), (2, b), (3, c)):
            lo, hi = q(v, w); out.append(f"    LQ q{r}, {lo:#x}, {hi:#x}")
        out.append(f"    FPCR {random.choice(FPCRS):#x}")
        t = '2d' if dbl else '4s'; s = 'd' if dbl else 's'
        k = random.random()
        if k < 0.3:
            op = random.choice(S2)
            if op in ('fmla','fmls'): out.append("    mov v0.16b, v3.16b")
            out.append(f"    V {op} v0.{t}, v1.{t}, v2.{t}")
        elif k < 0.5:
            op = random.choice(U1)
            out.append(f"    V {op} v0.{t}, v1.{t}")
        elif k < 0.62:
            op = random.choice(SC2)
            out.append(f"    V {op} {s}0, {s}1, {s}2")
        elif k < 0.72:
            op = random.choice(SC1)
            out.append(f"    V {op} {s}0, {s}1")
        elif k < 0.8:
            op = random.choice(['fmadd','fmsub','fnmadd','fnmsub'])
            out.append(f"    V {op} {s}0, {s}1, {s}2, {s}3")
        elif k < 0.85:
            op = random.choice(['fcmp','fcmpe'])
            out.append(f"    VF {op} {s}1, {s}2")
        elif k < 0.9:
            g = random.choice(['w','x']); op = random.choice(['fcvtzs','fcvtzu','fcvtns','fcvtau','fcvtms','fcvtps'])
            if random.random() < 0.3 and op in ('fcvtzs','fcvtzu'):
                out.append(f"    VX {op} {g}0, {s}1, #{random.randint(1, 32 if g=='w' else 64)}")
            else: out.append(f"    VX {op} {g}0, {s}1")
        elif k < 0.93:
            g = random.choice(['w','x']); op = random.choice(['scvtf','ucvtf'])
            out.append(f"    mov x4, v1.d[0]")
            if random.random() < 0.3: out.append(f"    V {op} {s}0, {g}4, #{random.randint(1, 32 if g=='w' else 64)}")
            else: out.append(f"    V {op} {s}0, {g}4")
        elif k < 0.97:
            op = random.choice(['fcvt h0, s1','fcvt h0, d1','fcvt s0, d1','fcvt d0, s1','fcvt s0, h1','fcvt d0, h1','fcvtn v0.4h, v1.4s','fcvtn v0.2s, v1.2d','fcvtl v0.4s, v1.4h','fcvtl2 v0.2d, v1.4s','fcvtxn v0.2s, v1.2d','fcvtl2 v0.4s, v1.8h'])
            out.append(f"    V {op}")
        else:
            n = random.randint(1, 32 if not dbl else 64)
            op = random.choice(['fcvtzs','fcvtzu','scvtf','ucvtf'])
            out.append(f"    V {op} v0.{t}, v1.{t}, #{n}")
    return out


def int_cases(N):
    SZ = {'b': 0, 'h': 1, 's': 2, 'd': 3}
    def arr(sz, q=None):
        if q is None: q = random.random() < 0.6
        return {'b': '16b' if q else '8b', 'h': '8h' if q else '4h', 's': '4s' if q else '2s', 'd': '2d'}[sz]
    def half(sz, q): return {'b': '8b', 'h': '4h', 's': '2s'}[sz] if not q else {'b': '16b', 'h': '8h', 's': '4s'}[sz]
    def wide(sz): return {'b': '8h', 'h': '4s', 's': '2d'}[sz]
    def r128():
        k = random.random()
        if k < 0.15: return random.choice([0, (1<<128)-1, 0x80808080808080808080808080808080, 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f, 0x80008000800080008000800080008000, 0x7fffffff7fffffff8000000080000000, 0x7fffffffffffffff8000000000000000])
        v = 0
        for i in range(16):
            b = random.choice([0, 0xff, 0x80, 0x7f, 1, random.getrandbits(8), random.getrandbits(8), random.getrandbits(8)])
            v |= b << (8*i)
        return v
    ALL = ['add','sub','cmeq','cmge','cmgt','cmhi','cmhs','cmtst','sqadd','uqadd','sqsub','uqsub','sshl','ushl','srshl','urshl','sqshl','uqshl','sqrshl','uqrshl','addp']
    NOD = ['mul','mla','mls','shadd','uhadd','srhadd','urhadd','shsub','uhsub','smax','umax','smin','umin','sabd','uabd','saba','uaba','smaxp','umaxp','sminp','uminp']
    LOG = ['and','bic','orr','orn','eor','bsl','bit','bif']
    DIFFL = ['saddl','uaddl','ssubl','usubl','sabal','uabal','sabdl','uabdl','smlal','umlal','smlsl','umlsl','smull','umull']
    DIFFW = ['saddw','uaddw','ssubw','usubw']
    DIFFN = ['addhn','raddhn','subhn','rsubhn']
    MISC = ['suqadd','usqadd','sqabs','sqneg','abs','neg']
    out = []
    def vec(insn): out.append(f"    V {insn}")
    for i in range(N):
        for r in (1, 2, 3):
            v = r128(); out.append(f"    LQ q{r}, {v & ((1<<64)-1):#x}, {v >> 64:#x}")
        out.append("    mov v0.16b, v3.16b")
        k = random.randrange(22); sz = random.choice('bhsd'); q = random.random() < 0.6
        if k == 0:
            op = random.choice(ALL)
            a = arr(sz, q); vec(f"{op} v0.{a}, v1.{a}, v2.{a}")
        elif k == 1:
            sz = random.choice('bhs'); op = random.choice(NOD)
            a = arr(sz, q); vec(f"{op} v0.{a}, v1.{a}, v2.{a}")
        elif k == 2:
            sz = random.choice('hs'); a = arr(sz, q); vec(f"{random.choice(['sqdmulh','sqrdmulh'])} v0.{a}, v1.{a}, v2.{a}")
        elif k == 3:
            a = random.choice(['8b','16b']); op = random.choice(LOG + ['pmul']); vec(f"{op} v0.{a}, v1.{a}, v2.{a}")
        elif k == 4:
            sz = random.choice('bhs'); op = random.choice(DIFFL); two = '2' if q else ''
            vec(f"{op}{two} v0.{wide(sz)}, v1.{half(sz, q)}, v2.{half(sz, q)}")
        elif k == 5:
            sz = random.choice('bhs'); op = random.choice(DIFFW); two = '2' if q else ''
            vec(f"{op}{two} v0.{wide(sz)}, v1.{wide(sz)}, v2.{half(sz, q)}")
        elif k == 6:
            sz = random.choice('bhs'); op = random.choice(DIFFN); two = '2' if q else ''
            vec(f"{op}{two} v0.{half(sz, q)}, v1.{wide(sz)}, v2.{wide(sz)}")
        elif k == 7:
            sz = random.choice('hs'); op = random.choice(['sqdmull','sqdmlal','sqdmlsl']); two = '2' if q else ''
            vec(f"{op}{two} v0.{wide(sz)}, v1.{half(sz, q)}, v2.{half(sz, q)}")
        elif k == 8:
            a = arr(sz, q); vec(f"{random.choice(MISC)} v0.{a}, v1.{a}")
        elif k == 9:
            sz = random.choice('bhs'); a = arr(sz, q)
            op = random.choice(['cls','clz','saddlp','uaddlp','sadalp','uadalp','rev64'])
            if op in ('saddlp','uaddlp','sadalp','uadalp'): vec(f"{op} v0.{ {'b':'8h','h':'4s','s':'2d'}[sz] if q else {'b':'4h','h':'2s','s':'1d'}[sz]}, v1.{a}")
            else: vec(f"{op} v0.{a}, v1.{a}")
        elif k == 10:
            a = random.choice(['8b','16b']); op = random.choice(['cnt','not','rbit','rev16','rev32'])
            vec(f"{op} v0.{a}, v1.{a}")
        elif k == 11:
            a = arr(sz, q); op = random.choice(['cmgt','cmeq','cmge','cmle','cmlt']); vec(f"{op} v0.{a}, v1.{a}, #0")
        elif k == 12:
            sz = random.choice('bhs'); op = random.choice(['xtn','sqxtn','uqxtn','sqxtun']); two = '2' if q else ''
            vec(f"{op}{two} v0.{half(sz, q)}, v1.{wide(sz)}")
        elif k == 13:
            sz = random.choice('bhs'); a = arr(sz, True if sz == 's' else q)
            op = random.choice(['addv','smaxv','umaxv','sminv','uminv','saddlv','uaddlv'])
            dst = {'b':'h','h':'s','s':'d'}[sz] if op.endswith('lv') else sz
            vec(f"{op} {dst}0, v1.{a}")
        elif k == 14:
            a = arr(sz, q); e = 8 << SZ[sz]
            op = random.choice(['sshr','ushr','ssra','usra','srshr','urshr','srsra','ursra','sri'])
            vec(f"{op} v0.{a}, v1.{a}, #{random.randint(1, e)}")
        elif k == 15:
            a = arr(sz, q); e = 8 << SZ[sz]
            op = random.choice(['shl','sli','sqshl','uqshl','sqshlu'])
            vec(f"{op} v0.{a}, v1.{a}, #{random.randint(0, e-1)}")
        elif k == 16:
            sz = random.choice('bhs'); e = 8 << SZ[sz]; two = '2' if q else ''
            op = random.choice(['shrn','rshrn','sqshrn','uqshrn','sqrshrn','uqrshrn','sqshrun','sqrshrun'])
            vec(f"{op}{two} v0.{half(sz, q)}, v1.{wide(sz)}, #{random.randint(1, e)}")
        elif k == 17:
            sz = random.choice('bhs'); e = 8 << SZ[sz]; two = '2' if q else ''
            vec(f"{random.choice(['sshll','ushll'])}{two} v0.{wide(sz)}, v1.{half(sz, q)}, #{random.randint(0, e-1)}")
        elif k == 18:
            sz = random.choice('hs'); a = arr(sz, q); idx = random.randint(0, 7 if sz == 'h' else 3)
            op = random.choice(['mul','mla','mls','sqdmulh','sqrdmulh'])
            vec(f"{op} v0.{a}, v1.{a}, v2.{sz}[{idx}]")
        elif k == 19:
            sz = random.choice('hs'); idx = random.randint(0, 7 if sz == 'h' else 3); two = '2' if q else ''
            op = random.choice(['smull','umull','smlal','umlal','smlsl','umlsl','sqdmull','sqdmlal','sqdmlsl'])
            vec(f"{op}{two} v0.{wide(sz)}, v1.{half(sz, q)}, v2.{sz}[{idx}]")
        elif k == 20:
            a = arr(sz, q); op = random.choice(['zip1','zip2','uzp1','uzp2','trn1','trn2'])
            vec(f"{op} v0.{a}, v1.{a}, v2.{a}")
        else:
            s = random.choice('bhsd')
            op = random.choice(['sqadd','uqadd','sqsub','uqsub','sqshl','uqshl','sqrshl','uqrshl','sqabs','sqneg','suqadd','usqadd','sqxtn','sqdmulh','add','cmgt','ushl','sqshlimm','sshr','srsra','sqshrun','sqdmull'])
            if op in ('sqabs','sqneg','suqadd','usqadd'): vec(f"{op} {s}0, {s}1")
            elif op in ('add','cmgt','ushl'): vec(f"{op} d0, d1, d2")
            elif op == 'sqxtn':
                s = random.choice('bhs'); vec(f"sqxtn {s}0, { {'b':'h','h':'s','s':'d'}[s]}1")
            elif op == 'sqdmulh':
                s = random.choice('hs'); vec(f"{random.choice(['sqdmulh','sqrdmulh'])} {s}0, {s}1, {s}2")
            elif op == 'sqdmull':
                s = random.choice('hs'); vec(f"sqdmull { {'h':'s','s':'d'}[s]}0, {s}1, {s}2")
            elif op == 'sqshlimm': vec(f"{random.choice(['sqshl','uqshl','sqshlu'])} {s}0, {s}1, #{random.randint(0, (8 << SZ[s]) - 1)}")
            elif op in ('sshr','srsra'): vec(f"{op} d0, d1, #{random.randint(1, 64)}")
            elif op == 'sqshrun':
                s = random.choice('bhs'); vec(f"{random.choice(['sqshrun','sqrshrn','uqshrn'])} {s}0, { {'b':'h','h':'s','s':'d'}[s]}1, #{random.randint(1, 8 << SZ[s])}")
            else: vec(f"{op} {s}0, {s}1, {s}2")
    return out


if __name__ == '__main__':
    kind, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    random.seed(seed)
    body = fp_cases(n) if kind == 'fp' else int_cases(n)
    print('#include "macros.inc"\n#include "vmacros.inc"\n    .text\n    .global main\nmain:\n    mov x29, x30\n'
          '    mov x0, #(3 << 20)\n    msr cpacr_el1, x0\n    isb')
    print('\n'.join(body))
    print('    mov x30, x29\n    ret')
