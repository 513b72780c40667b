/* Linked lists: a node pool with a free list; sorted insertion, reversal, merge sort of a
 * singly linked list, deletion of every k-th node, and a doubly linked LRU list with moves to
 * the front — pointer chasing with data-dependent branches. */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 20
#endif
#define POOL 32768

struct node {
  struct node *next, *prev;
  uint64_t key;
  uint32_t val;
};

static struct node pool[POOL];
static struct node *free_list;

static void pool_init(void) {
  free_list = 0;
  for (long i = POOL - 1; i >= 0; i--) {
    pool[i].next = free_list;
    free_list = &pool[i];
  }
}

static struct node *alloc(uint64_t key, uint32_t val) {
  struct node *n = free_list;
  if (!n) return 0;
  free_list = n->next;
  n->next = n->prev = 0;
  n->key = key;
  n->val = val;
  return n;
}

static void release(struct node *n) {
  n->next = free_list;
  free_list = n;
}

static struct node *insert_sorted(struct node *head, struct node *n) {
  struct node **pp = &head;
  while (*pp && (*pp)->key < n->key) pp = &(*pp)->next;
  n->next = *pp;
  *pp = n;
  return head;
}

static struct node *reverse(struct node *h) {
  struct node *r = 0;
  while (h) {
    struct node *n = h->next;
    h->next = r;
    r = h;
    h = n;
  }
  return r;
}

static struct node *merge(struct node *a, struct node *b) {
  struct node head, *t = &head;
  while (a && b) {
    if (a->key <= b->key) { t->next = a; a = a->next; }
    else { t->next = b; b = b->next; }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

static struct node *list_sort(struct node *h) {
  if (!h || !h->next) return h;
  struct node *slow = h, *fast = h->next;
  while (fast && fast->next) {
    slow = slow->next;
    fast = fast->next->next;
  }
  struct node *b = slow->next;
  slow->next = 0;
  return merge(list_sort(h), list_sort(b));
}

static struct node *delete_every(struct node *h, int k, uint64_t *sum) {
  struct node **pp = &h;
  int i = 0;
  while (*pp) {
    if (++i % k == 0) {
      struct node *d = *pp;
      *sum = mix64(*sum, d->key);
      *pp = d->next;
      release(d);
    } else {
      pp = &(*pp)->next;
    }
  }
  return h;
}

static uint64_t fold(struct node *h, long *len, int *bad) {
  uint64_t s = 0;
  long n = 0;
  for (struct node *p = h; p; p = p->next, n++) {
    if (p->next && p->next->key < p->key) (*bad)++;
    s = s * 31 + p->key + p->val;
  }
  *len = n;
  return s;
}

/* LRU: a doubly linked ring with a sentinel; a hit moves the node to the front */
#define SLOTS 1024
static struct node *slot[SLOTS];

static uint64_t lru(uint64_t *seed, int steps) {
  struct node ring = {&ring, &ring, 0, 0};
  long size = 0;
  uint64_t hits = 0;
  for (int i = 0; i < SLOTS; i++) slot[i] = 0;
  for (int s = 0; s < steps; s++) {
    uint32_t key = (uint32_t)(xorshift64(seed) % (SLOTS + SLOTS / 4)) % SLOTS;
    struct node *n = slot[key];
    if (n) {
      hits++;
      n->prev->next = n->next;
      n->next->prev = n->prev;
    } else {
      if (size == SLOTS / 2) { /* evict the tail */
        struct node *t = ring.prev;
        t->prev->next = &ring;
        ring.prev = t->prev;
        slot[t->val] = 0;
        release(t);
        size--;
      }
      n = alloc(key, key);
      slot[key] = n;
      size++;
    }
    n->next = ring.next;
    n->prev = &ring;
    ring.next->prev = n;
    ring.next = n;
  }
  /* give the ring back to the pool */
  for (struct node *p = ring.next; p != &ring;) {
    struct node *q = p->next;
    release(p);
    p = q;
  }
  return hits;
}

int main(void) {
  uint64_t seed = 0xdeadbeefcafef00dull, sum = 0;
  int bad = 0;
  long len = 0;
  for (int r = 0; r < ROUNDS; r++) {
    pool_init();
    /* sorted insertion of a short list (quadratic), then a long unsorted one merge-sorted */
    struct node *a = 0;
    for (int i = 0; i < 1200; i++) a = insert_sorted(a, alloc(xorshift64(&seed) % 100000, (uint32_t)i));
    sum = mix64(sum, fold(a, &len, &bad));
    a = reverse(a);
    a = reverse(a);
    struct node *b = 0;
    for (int i = 0; i < 20000; i++) {
      struct node *n = alloc(xorshift64(&seed) >> 20, (uint32_t)i);
      n->next = b;
      b = n;
    }
    b = list_sort(b);
    b = delete_every(b, 3 + r, &sum);
    b = merge(a, b);
    sum = mix64(sum, fold(b, &len, &bad));
    sum = mix64(sum, (uint64_t)len);
    pool_init();
    sum = mix64(sum, lru(&seed, 100000));
  }
  rt_printf("list: %d rounds, last merged list %ld nodes, %d out of order\n", ROUNDS, len, bad);
  rt_checksum("list", sum);
  return 0;
}
