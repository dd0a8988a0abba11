/*
 * fleetpub — the benchmark's fleet: a stream that looks like production and
 * one fast QoS 1 publisher for it (libmosquitto). Built by run.sh / rss.sh:
 *   cc -O2 -o fleetpub fleetpub.c -lmosquitto
 *
 * A live fleet publishes every series every second, so the broker's queue
 * interleaves them: second 0 = series 0..S-1, second 1 = series 0..S-1, ...
 * (`mosquitto_pub -l` publishes one topic per process and cannot do that).
 *
 *   fleetpub gen SERIES MESSAGES START_MS FILE
 *       write MESSAGES lines "topic<TAB>payload" to FILE, second by second,
 *       every series once per second, payload {"ts":<ms>,"v":<value>}
 *   fleetpub pub HOST PORT FILE
 *       publish every line of FILE at QoS 1 as fast as the broker takes it,
 *       wait for every PUBACK; prints "published N in S s (R msg/s)"
 *   fleetpub live HOST PORT SERIES SECONDS
 *       the same fleet in real time: at each wall-clock second publish every
 *       series with ts = that second; prints how many seconds it fell behind
 *
 * Series i (0-based): meter m<i/4> of plant socar-polymer (even i/4) or socar-karbamid (odd i/4),
 * quantity by i%4: active_energy_kwh (counter),
 * active_power_kw (gauge), gas_volume_nm3 (counter), temperature_c (gauge).
 * Counters only increase. Everything is deterministic: same arguments, same file.
 */
#include <mosquitto.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const quantities[4] = {"active_energy_kwh", "active_power_kw", "gas_volume_nm3", "temperature_c"};

static void topic_of(long i, char *buf, size_t len) {
    snprintf(buf, len, "nextgen/%s/m%05ld/%s", ((i / 4) % 2) ? "socar-karbamid" : "socar-polymer", i / 4, quantities[i % 4]);
}

/* Value of series i at step k (k seconds after the start): counters grow by a
 * per-series rate with a little deterministic jitter; gauges wander around a level. */
static double value_of(long i, long k, double *counter) {
    uint32_t h = (uint32_t)(i * 2654435761u) ^ (uint32_t)(k * 40503u);
    h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
    double jitter = (double)(h % 1000) / 1000.0; /* 0 .. 1 */
    if (i % 2 == 0) { /* quantities 0 and 2: counters */
        counter[i] += 0.2 + (double)(i % 7) * 0.05 + jitter * 0.1;
        return counter[i];
    }
    return 100.0 + (double)(i % 50) + 10.0 * jitter;
}

static double *counters_new(long series) {
    double *c = malloc(sizeof(double) * (size_t)series);
    if (!c) { perror("fleetpub: malloc"); exit(71); }
    for (long i = 0; i < series; i++) c[i] = 1000.0 * (double)(i + 1);
    return c;
}

static int gen(long series, long messages, long long start_ms, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return 73; }
    double *counter = counters_new(series);
    char topic[128];
    for (long m = 0; m < messages; m++) {
        long i = m % series, k = m / series;
        topic_of(i, topic, sizeof topic);
        double v = value_of(i, k, counter);
        fprintf(f, "%s\t{\"ts\":%lld,\"v\":%.3f}\n", topic, start_ms + (long long)k * 1000, v);
    }
    free(counter);
    if (fclose(f) != 0) { perror(path); return 74; }
    return 0;
}

/* ---- publishing ---- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t acked_cond = PTHREAD_COND_INITIALIZER;
static long acked = 0;
static int connected = 0;

static void on_connect(struct mosquitto *m, void *ud, int rc) {
    (void)m; (void)ud;
    pthread_mutex_lock(&lock);
    connected = rc == 0 ? 1 : -1;
    pthread_cond_broadcast(&acked_cond);
    pthread_mutex_unlock(&lock);
}

static void on_publish(struct mosquitto *m, void *ud, int mid) {
    (void)m; (void)ud; (void)mid;
    pthread_mutex_lock(&lock);
    acked++;
    pthread_cond_broadcast(&acked_cond);
    pthread_mutex_unlock(&lock);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct mosquitto *connect_to(const char *host, int port) {
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new("bench-fleetpub", true, NULL);
    if (!m) { fprintf(stderr, "fleetpub: mosquitto_new failed\n"); exit(71); }
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_publish_callback_set(m, on_publish);
    /* A window like a gateway's; messages beyond it wait in libmosquitto's queue. */
    mosquitto_max_inflight_messages_set(m, 1000);
    int rc = mosquitto_connect(m, host, port, 60);
    if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "fleetpub: connect %s:%d: %s\n", host, port, mosquitto_strerror(rc)); exit(69); }
    if (mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "fleetpub: loop_start failed\n"); exit(71); }
    pthread_mutex_lock(&lock);
    while (connected == 0) pthread_cond_wait(&acked_cond, &lock);
    int ok = connected == 1;
    pthread_mutex_unlock(&lock);
    if (!ok) { fprintf(stderr, "fleetpub: CONNACK refused\n"); exit(69); }
    return m;
}

static void publish_or_die(struct mosquitto *m, const char *topic, const char *payload, size_t len) {
    int rc = mosquitto_publish(m, NULL, topic, (int)len, payload, 1, false);
    if (rc != MOSQ_ERR_SUCCESS) { fprintf(stderr, "fleetpub: publish: %s\n", mosquitto_strerror(rc)); exit(74); }
}

/* Wait until at least `target` PUBACKs came back (the broker holds them all). */
static void wait_acked(long target) {
    pthread_mutex_lock(&lock);
    while (acked < target) pthread_cond_wait(&acked_cond, &lock);
    pthread_mutex_unlock(&lock);
}

/* Keep libmosquitto's own queue of unacknowledged messages short: it walks
 * that queue on every PUBACK, so an unbounded one makes publishing quadratic. */
static void throttle(long sent) {
    if (sent % 1000 == 0) wait_acked(sent - 5000);
}

static void disconnect(struct mosquitto *m) {
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
}

static int pub(const char *host, int port, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return 66; }
    struct mosquitto *m = connect_to(host, port);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long sent = 0;
    double t0 = now_s();
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[--n] = 0;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        publish_or_die(m, line, tab + 1, (size_t)(line + n - (tab + 1)));
        sent++;
        throttle(sent);
    }
    wait_acked(sent);
    double secs = now_s() - t0;
    free(line);
    fclose(f);
    disconnect(m);
    printf("published %ld in %.2f s (%.0f msg/s)\n", sent, secs, (double)sent / secs);
    return 0;
}

static int live(const char *host, int port, long series, long seconds) {
    struct mosquitto *m = connect_to(host, port);
    double *counter = counters_new(series);
    char topic[128], payload[96];
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    long long first = (long long)wall.tv_sec + 1;
    long behind = 0;
    double worst = 0;
    long sent = 0;
    for (long k = 0; k < seconds; k++) {
        long long sec = first + k;
        struct timespec at = {.tv_sec = (time_t)sec, .tv_nsec = 0};
        while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL) != 0) {}
        for (long i = 0; i < series; i++) {
            topic_of(i, topic, sizeof topic);
            int len = snprintf(payload, sizeof payload, "{\"ts\":%lld,\"v\":%.3f}", sec * 1000, value_of(i, k, counter));
            publish_or_die(m, topic, payload, (size_t)len);
            throttle(++sent);
        }
        clock_gettime(CLOCK_REALTIME, &wall);
        double took = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9 - (double)sec;
        if (took > worst) worst = took;
        if (took >= 1.0) behind++;
    }
    wait_acked(sent);
    free(counter);
    disconnect(m);
    printf("published %ld in %ld s at %ld msg/s; slowest second took %.3f s; %ld seconds ran over\n",
           sent, seconds, series, worst, behind);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "gen") == 0)
        return gen(atol(argv[2]), atol(argv[3]), atoll(argv[4]), argv[5]);
    if (argc == 5 && strcmp(argv[1], "pub") == 0)
        return pub(argv[2], atoi(argv[3]), argv[4]);
    if (argc == 6 && strcmp(argv[1], "live") == 0)
        return live(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]));
    fprintf(stderr, "usage: fleetpub gen SERIES MESSAGES START_MS FILE | pub HOST PORT FILE | live HOST PORT SERIES SECONDS\n");
    return 64;
}
