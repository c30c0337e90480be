/*
 * Open-loop HTTP/1.1 load generator for the Gatehouse benchmark (fixed request rate scenario).
 *
 * Request i is due at start + i/rate, whether or not earlier requests have been answered. A due
 * request waits in a queue until one of the keep-alive connections is free, and its latency is
 * measured from the time it was due, not from when it was written: a stalled proxy therefore shows
 * its stall in the tail instead of slowing the generator down (no coordinated omission). Requests
 * that fail or are still unanswered when the run ends count as infinitely slow in the percentiles.
 * The run is bounded: rate * (warmup + seconds) requests, and at most `timeout` seconds of draining
 * afterwards. The first `warmup` seconds of requests are sent at the same rate but left out of the
 * percentiles (new connections, first-use page faults and JIT warm-up are not the steady-state tail
 * this measures); their failures still count.
 *
 * usage: loadgen <port> <rate> <seconds> <connections> <host> <path> <timeout-seconds> [warmup-seconds]
 * prints one JSON object on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536
#define NOT_DONE UINT64_MAX

typedef struct {
  int fd;
  long inflight; /* request index, or -1 when idle */
  int listed;    /* on the idle stack (a connection is listed at most once) */
  size_t len;
  char buf[BUF_SIZE];
} conn_t;

static int port, conn_count;
static char request_text[1024];
static size_t request_len;
static uint64_t *latency_ns; /* NOT_DONE until answered with a complete response */
static long completed, non2xx, errors;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int open_conn(int epfd, conn_t *c, int index) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    if (fd >= 0) close(fd);
    c->fd = -1;
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)index};
  epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  c->fd = fd;
  c->inflight = -1;
  c->len = 0;
  return 0;
}

static void close_conn(conn_t *c) {
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
  c->inflight = -1;
  c->len = 0;
}

/* Case-insensitive search for a header line start ("\r\nname:") inside [0, end). */
static const char *find_header(const char *buf, size_t end, const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i + n + 3 <= end; i++) {
    if (buf[i] == '\r' && buf[i + 1] == '\n' && strncasecmp(buf + i + 2, name, n) == 0 &&
        buf[i + 2 + n] == ':')
      return buf + i + 3 + n;
  }
  return NULL;
}

/* Length of the chunked body starting at `p`, or 0 while incomplete. No trailers expected. */
static size_t chunked_end(const char *buf, size_t p, size_t len) {
  for (;;) {
    const char *crlf = memmem(buf + p, len - p, "\r\n", 2);
    if (!crlf) return 0;
    unsigned long size = strtoul(buf + p, NULL, 16);
    p = (size_t)(crlf - buf) + 2;
    if (size == 0) return len >= p + 2 ? p + 2 : 0;
    if (len < p + size + 2) return 0;
    p += size + 2;
  }
}

/* Returns the total length of the first complete response in c->buf (0 if incomplete). */
static size_t response_length(conn_t *c, int *status, int *must_close) {
  const char *hdr_end = memmem(c->buf, c->len, "\r\n\r\n", 4);
  if (!hdr_end) return 0;
  size_t head = (size_t)(hdr_end - c->buf) + 2; /* keep the last CRLF for find_header */
  size_t body_start = head + 2;
  *status = c->len > 12 ? atoi(c->buf + 9) : 0;
  const char *conn = find_header(c->buf, head, "connection");
  *must_close = conn && strncasecmp(conn + strspn(conn, " "), "close", 5) == 0;
  const char *te = find_header(c->buf, head, "transfer-encoding");
  if (te && strncasecmp(te + strspn(te, " "), "chunked", 7) == 0)
    return chunked_end(c->buf, body_start, c->len);
  const char *cl = find_header(c->buf, head, "content-length");
  size_t body = cl ? strtoul(cl, NULL, 10) : 0;
  return c->len >= body_start + body ? body_start + body : 0;
}

static int send_request(conn_t *c, long index) {
  ssize_t n = write(c->fd, request_text, request_len);
  if (n != (ssize_t)request_len) return -1;
  c->inflight = index;
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static long long pct_us(const uint64_t *sorted, long total, double p) {
  long rank = (long)ceil((p / 100.0) * (double)total);
  if (rank < 1) rank = 1;
  uint64_t v = sorted[rank - 1];
  return v == NOT_DONE ? -1 : (long long)(v / 1000);
}

int main(int argc, char **argv) {
  if (argc != 8 && argc != 9) {
    fprintf(stderr, "usage: %s port rate seconds connections host path timeout [warmup]\n", argv[0]);
    return 2;
  }
  port = atoi(argv[1]);
  double rate = atof(argv[2]), seconds = atof(argv[3]), timeout = atof(argv[7]);
  double warmup = argc == 9 ? atof(argv[8]) : 0;
  conn_count = atoi(argv[4]);
  request_len = (size_t)snprintf(request_text, sizeof request_text,
                                 "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", argv[6], argv[5]);
  long warm = (long)(rate * warmup), total = warm + (long)(rate * seconds);
  if (total <= warm || warm < 0 || conn_count <= 0 || request_len >= sizeof request_text) return 2;

  latency_ns = malloc(sizeof(uint64_t) * (size_t)total);
  long *queue = malloc(sizeof(long) * (size_t)total);
  int *idle = malloc(sizeof(int) * (size_t)conn_count);
  conn_t *conns = calloc((size_t)conn_count, sizeof(conn_t));
  if (!latency_ns || !queue || !idle || !conns) return 3;
  for (long i = 0; i < total; i++) latency_ns[i] = NOT_DONE;

  int epfd = epoll_create1(0);
  int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
  struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &tev);

  int idle_count = 0;
  for (int i = 0; i < conn_count; i++) {
    if (open_conn(epfd, &conns[i], i) == 0) {
      idle[idle_count++] = i;
      conns[i].listed = 1;
    }
  }
  if (idle_count == 0) {
    fprintf(stderr, "could not connect to 127.0.0.1:%d\n", port);
    return 1;
  }

  double interval_ns = 1e9 / rate;
  uint64_t start = now_ns() + 1000000; /* 1 ms from now */
  uint64_t deadline = start + (uint64_t)((warmup + seconds + timeout) * 1e9);
  long next = 0, q_head = 0, q_tail = 0, inflight = 0;
  uint64_t max_lag = 0;
  struct epoll_event events[256];

  while (now_ns() < deadline && (next < total || q_head < q_tail || inflight > 0)) {
    if (next < total) {
      uint64_t due = start + (uint64_t)((double)next * interval_ns);
      struct itimerspec its = {.it_value = {.tv_sec = (time_t)(due / 1000000000ull),
                                            .tv_nsec = (long)(due % 1000000000ull)}};
      timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    }
    int n = epoll_wait(epfd, events, 256, 100);
    uint64_t now = now_ns();
    while (next < total && start + (uint64_t)((double)next * interval_ns) <= now) queue[q_tail++] = next++;
    for (int e = 0; e < n; e++) {
      uint32_t id = events[e].data.u32;
      if (id == UINT32_MAX) {
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) return 4;
        continue;
      }
      conn_t *c = &conns[id];
      if (c->fd < 0) continue;
      ssize_t got = read(c->fd, c->buf + c->len, BUF_SIZE - c->len);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      int status = 0, must_close = 0;
      size_t length = 0;
      if (got > 0) {
        c->len += (size_t)got;
        length = response_length(c, &status, &must_close);
        if (length == 0 && c->len < BUF_SIZE) continue;
      }
      /* An idle connection the server closed (keep-alive timeout) is still listed: reopening it
         must not list it twice, or the idle stack overflows. */
      if (length > 0 && c->inflight >= 0) {
        latency_ns[c->inflight] = now - (start + (uint64_t)((double)c->inflight * interval_ns));
        completed++;
        if (status < 200 || status > 299) non2xx++;
        inflight--;
        c->inflight = -1;
        memmove(c->buf, c->buf + length, c->len - length);
        c->len -= length;
        if (!must_close) {
          idle[idle_count++] = (int)id;
          c->listed = 1;
          continue;
        }
      } else if (c->inflight >= 0) {
        errors++; /* connection closed or broken mid-response */
        inflight--;
      }
      epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
      close_conn(c);
      if (open_conn(epfd, c, (int)id) == 0 && !c->listed) {
        idle[idle_count++] = (int)id;
        c->listed = 1;
      }
    }
    while (q_head < q_tail && idle_count > 0) {
      conn_t *c = &conns[idle[--idle_count]];
      c->listed = 0;
      long index = queue[q_head++];
      uint64_t lag = now_ns() - (start + (uint64_t)((double)index * interval_ns));
      if (lag > max_lag) max_lag = lag;
      if (send_request(c, index) == 0) {
        inflight++;
      } else {
        errors++;
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close_conn(c);
        int id = (int)(c - conns);
        if (open_conn(epfd, c, id) == 0) {
          idle[idle_count++] = id;
          c->listed = 1;
        }
      }
    }
  }

  uint64_t *measured = latency_ns + warm;
  long count = total - warm, unanswered = total - completed;
  qsort(measured, (size_t)count, sizeof(uint64_t), cmp_u64);
  printf("{\"rate\":%.0f,\"seconds\":%.3f,\"warmupSeconds\":%.3f,\"connections\":%d,\"scheduled\":%ld,"
         "\"completed\":%ld,\"non2xx\":%ld,\"errors\":%ld,\"unanswered\":%ld,\"maxSendLagUs\":%llu,"
         "\"p50Us\":%lld,\"p90Us\":%lld,\"p99Us\":%lld,\"p999Us\":%lld,\"maxUs\":%lld}\n",
         rate, seconds, warmup, conn_count, total, completed, non2xx, errors, unanswered,
         (unsigned long long)(max_lag / 1000), pct_us(measured, count, 50), pct_us(measured, count, 90),
         pct_us(measured, count, 99), pct_us(measured, count, 99.9), pct_us(measured, count, 100));
  return 0;
}
