/* Counts the heap bytes a process has in use and their peak, for the memory benchmark.
 *
 * LD_PRELOAD it into both the tfgram benchmark and the Python peer: every malloc-family call
 * (tensor storage included: LibTorch's CPU allocator uses posix_memalign) goes through here.
 * Resident-set figures mix in code pages faulted in on first use and memory the allocator keeps
 * after free; live heap bytes measure what a computation actually allocates.
 * tfgram_heap_reset() starts a new peak from the current use; tfgram_heap_report() returns
 * {in use, peak} in bytes. Python reaches them through ctypes.CDLL(None).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);
extern void __libc_free(void*);

static _Atomic int64_t in_use;
static _Atomic int64_t peak;

static void* counted(void* p) {
  if (p != NULL) {
    const int64_t now = atomic_fetch_add(&in_use, (int64_t)malloc_usable_size(p)) + (int64_t)malloc_usable_size(p);
    int64_t seen = atomic_load(&peak);
    while (now > seen && !atomic_compare_exchange_weak(&peak, &seen, now)) {
    }
  }
  return p;
}

static void uncount(void* p) {
  if (p != NULL) atomic_fetch_sub(&in_use, (int64_t)malloc_usable_size(p));
}

void* malloc(size_t size) { return counted(__libc_malloc(size)); }
void* calloc(size_t n, size_t size) { return counted(__libc_calloc(n, size)); }
void free(void* p) {
  uncount(p);
  __libc_free(p);
}
void* realloc(void* p, size_t size) {
  const int64_t old = p != NULL ? (int64_t)malloc_usable_size(p) : 0;
  void* q = __libc_realloc(p, size);
  if (q == NULL && size != 0) return NULL; /* p is untouched */
  atomic_fetch_sub(&in_use, old);
  return counted(q);
}
void* memalign(size_t alignment, size_t size) { return counted(__libc_memalign(alignment, size)); }
void* aligned_alloc(size_t alignment, size_t size) { return counted(__libc_memalign(alignment, size)); }
int posix_memalign(void** out, size_t alignment, size_t size) {
  void* p = counted(__libc_memalign(alignment, size));
  if (p == NULL && size != 0) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

void tfgram_heap_reset(void) { atomic_store(&peak, atomic_load(&in_use)); }

void tfgram_heap_report(int64_t* now, int64_t* max) {
  *now = atomic_load(&in_use);
  *max = atomic_load(&peak);
}
