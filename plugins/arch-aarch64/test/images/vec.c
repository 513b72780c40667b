/* What gcc emits for ordinary C: auto-vectorized loops (-O3), NEON intrinsics in the style of
 * libc's string routines (strlen/memchr/memcmp/memcpy/memset), float and double math, integer
 * <-> FP conversions. Prints one checksum per routine (lib.S puthex); run on QEMU and on baobab. */
#include <arm_neon.h>
#include <stdint.h>
#include <stddef.h>

void puthex(uint64_t);
void puts(const char *);

#define N 67
static int8_t a8[N], b8[N];
static int16_t a16[N], b16[N];
static int32_t a32[N], b32[N];
static int64_t a64[N], b64[N];
static uint8_t u8[N];
static uint16_t u16[N];
static float f32[N], g32[N];
static double f64[N], g64[N];
static char text[300];
static uint8_t src[512], dst[512];

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull + (h >> 29); }

static void init(void) {
    uint32_t s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245 + 12345;
        a8[i] = s >> 24; b8[i] = s >> 16; a16[i] = s >> 8; b16[i] = s;
        a32[i] = s; b32[i] = s * 7 + i; a64[i] = (int64_t)s << 20 ^ i; b64[i] = -(int64_t)s * 3;
        u8[i] = s >> 13; u16[i] = s >> 3;
        f32[i] = (float)(int32_t)s / 65536.0f; g32[i] = (float)i * 0.37f - 3.0f;
        f64[i] = (double)(int32_t)s / 1e5; g64[i] = 1.0 / (i + 1);
    }
    for (int i = 0; i < 299; i++) text[i] = 'a' + (i * 7) % 26;
    text[299] = 0;
    for (int i = 0; i < 512; i++) src[i] = i * 13 + 1;
}

__attribute__((noinline)) static uint64_t ints(void) {
    uint64_t h = 0;
    int32_t s32 = 0; int64_t s64 = 0; int8_t mx = -128; uint16_t mn = 0xffff;
    for (int i = 0; i < N; i++) s32 += a8[i] * b8[i];
    for (int i = 0; i < N; i++) s64 += (int64_t)a32[i] * b32[i];
    for (int i = 0; i < N; i++) mx = a8[i] > mx ? a8[i] : mx;
    for (int i = 0; i < N; i++) mn = u16[i] < mn ? u16[i] : mn;
    h = mix(mix(mix(mix(h, s32), s64), mx), mn);
    int32_t sad = 0;
    for (int i = 0; i < N; i++) sad += __builtin_abs(u8[i] - (uint8_t)a8[i]);
    h = mix(h, sad);
    for (int i = 0; i < N; i++) a16[i] = (a16[i] >> 3) + (b16[i] << 2) - (a16[i] ^ b16[i]);
    for (int i = 0; i < N; i++) a64[i] = a64[i] + b64[i] * 5 - (a64[i] >> 7);
    for (int i = 0; i < N; i++) b32[i] = a32[i] < 0 ? -a32[i] : a32[i] / 4 + (uint32_t)a32[i] % 3;
    for (int i = 0; i < N; i++) u8[i] = (u8[i] + b8[i] + 1) >> 1;
    for (int i = 0; i < N; i++) { int v = a16[i] * 3; b8[i] = v > 127 ? 127 : v < -128 ? -128 : v; }
    for (int i = 0; i < N; i++) h = mix(h, (uint64_t)a16[i] + b32[i] + a64[i] + u8[i] + b8[i]);
    return h;
}

__attribute__((noinline)) static uint64_t floats(void) {
    uint64_t h = 0;
    float fs = 0; double ds = 0;
    for (int i = 0; i < N; i++) f32[i] = f32[i] * g32[i] + 1.5f;
    for (int i = 0; i < N; i++) f64[i] = f64[i] / (g64[i] + 0.25) - f64[i] * g64[i];
    for (int i = 0; i < N; i++) fs += f32[i];
    for (int i = 0; i < N; i++) ds += f64[i] * f64[i];
    for (int i = 0; i < N; i++) a32[i] = (int32_t)f32[i];
    for (int i = 0; i < N; i++) g64[i] = (double)a64[i] * 1e-9 + (double)(uint32_t)b32[i];
    for (int i = 0; i < N; i++) g32[i] = (float)f64[i];
    for (int i = 0; i < N; i++) f32[i] = __builtin_sqrtf(__builtin_fabsf(f32[i])) + __builtin_fmaxf(g32[i], 0.5f);
    for (int i = 0; i < N; i++) f64[i] = __builtin_floor(f64[i]) + __builtin_round(g64[i] * 0.01) + __builtin_trunc(f64[i] * 3.3);
    union { float f; uint32_t u; } uf = { fs };
    union { double d; uint64_t u; } ud = { ds };
    h = mix(mix(h, uf.u), ud.u);
    for (int i = 0; i < N; i++) {
        union { float f; uint32_t u; } a = { f32[i] }, b = { g32[i] };
        union { double f; uint64_t u; } c = { f64[i] }, d = { g64[i] };
        h = mix(mix(mix(mix(mix(h, a.u), b.u), c.u), d.u), a32[i]);
    }
    return h;
}

/* libc-style string routines on NEON, as glibc's AArch64 strlen/memchr do */
__attribute__((noinline)) static size_t vstrlen(const char *s) {
    const char *p = (const char *)((uintptr_t)s & ~15ul);
    uint8x16_t v = vld1q_u8((const uint8_t *)p);
    uint8x16_t z = vceqq_u8(v, vdupq_n_u8(0));
    uint64_t m = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(z), 4)), 0);
    m >>= ((uintptr_t)s & 15) * 4;
    if (m) return __builtin_ctzll(m) >> 2;
    for (;;) {
        p += 16;
        v = vld1q_u8((const uint8_t *)p);
        z = vceqq_u8(v, vdupq_n_u8(0));
        if (vmaxvq_u8(z)) {
            m = vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(z), 4)), 0);
            return p - s + (__builtin_ctzll(m) >> 2);
        }
    }
}

__attribute__((noinline)) static const void *vmemchr(const void *s, int c, size_t n) {
    const uint8_t *p = s;
    uint8x16_t cv = vdupq_n_u8(c);
    for (; n >= 16; n -= 16, p += 16) {
        uint8x16_t e = vceqq_u8(vld1q_u8(p), cv);
        uint64x2_t e64 = vreinterpretq_u64_u8(e);
        if (vgetq_lane_u64(vpaddq_u64(e64, e64), 0) | vgetq_lane_u64(e64, 1) | vgetq_lane_u64(e64, 0)) {
            uint8x16_t idx = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
            uint8x16_t sel = vbslq_u8(e, idx, vdupq_n_u8(0xff));
            return p + vminvq_u8(sel);
        }
    }
    for (; n; n--, p++) if (*p == (uint8_t)c) return p;
    return 0;
}

__attribute__((noinline)) static void vmemcpy(void *d, const void *s, size_t n) {
    uint8_t *dp = d; const uint8_t *sp = s;
    for (; n >= 32; n -= 32, dp += 32, sp += 32) {
        uint8x16x2_t v = { { vld1q_u8(sp), vld1q_u8(sp + 16) } };
        vst1q_u8(dp, v.val[0]); vst1q_u8(dp + 16, v.val[1]);
    }
    for (; n; n--) *dp++ = *sp++;
}

__attribute__((noinline)) static void vmemset(void *d, int c, size_t n) {
    uint8_t *dp = d;
    uint8x16_t v = vdupq_n_u8(c);
    for (; n >= 16; n -= 16, dp += 16) vst1q_u8(dp, v);
    for (; n; n--) *dp++ = c;
}

__attribute__((noinline)) static int vmemcmp(const void *a, const void *b, size_t n) {
    const uint8_t *p = a, *q = b;
    for (; n >= 16; n -= 16, p += 16, q += 16) {
        uint8x16_t ne = vmvnq_u8(vceqq_u8(vld1q_u8(p), vld1q_u8(q)));
        if (vmaxvq_u8(ne)) break;
    }
    for (; n; n--, p++, q++) if (*p != *q) return *p - *q;
    return 0;
}

__attribute__((noinline)) static uint64_t strings(void) {
    uint64_t h = 0;
    for (int i = 0; i < 40; i++) h = mix(h, vstrlen(text + i * 7));
    for (int c = 'a'; c < 'a' + 26; c += 5) {
        const char *r = vmemchr(text + 3, c, 280);
        h = mix(h, r ? (uint64_t)(r - text) : 999);
    }
    for (int off = 0; off < 5; off++) {
        vmemcpy(dst + off, src + 3 * off, 300 - off);
        vmemset(dst + 400 + off, off * 11, 70 + off);
        h = mix(h, vmemcmp(dst + off, src + 3 * off, 300 - off));
        h = mix(h, vmemcmp(dst, src, 300));
        for (int i = 0; i < 512; i += 8) h = mix(h, *(uint64_t *)(dst + i));
    }
    __builtin_memcpy(dst + 1, src + 5, 200);
    __builtin_memset(dst + 300, 0x5a, 100);
    for (int i = 0; i < 512; i += 8) h = mix(h, *(uint64_t *)(dst + i));
    return h;
}

int main(void) {
    __asm__ volatile("msr cpacr_el1, %0; isb" :: "r"(3ul << 20));
    init();
    puts("ints\n"); puthex(ints());
    puts("floats\n"); puthex(floats());
    puts("strings\n"); puthex(strings());
    return 0;
}
