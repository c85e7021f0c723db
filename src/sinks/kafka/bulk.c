/*
 * Bulk produce for the Kafka sink: hands a whole packed batch (see src/encoding/batch.ts) to
 * librdkafka in one call from JavaScript, instead of one node-rdkafka produce() per record.
 *
 * This one shared object is two things:
 *  - a librdkafka plugin (`plugin.library.paths`, conf_init below). Loaded into the producer that
 *    node-rdkafka creates, its on_new() interceptor notes that client's rd_kafka_t handle;
 *  - a Node-API addon that, given that handle, creates one topic handle per dataset and produces
 *    a batch's records in a C loop with rd_kafka_produce(): no JavaScript call, no key and value
 *    views, no topic-name copy and no headers list per record.
 *
 * node-rdkafka still owns the producer: configuration, connection, delivery reports, errors,
 * flush and shutdown. The records are the same as through node-rdkafka's produce(): copied key
 * and value, no headers, no opaque, timestamp set by librdkafka, and the same partitions. A topic
 * that had one partition when the run began gets partition 0 named: what the partitioner would
 * pick, but librdkafka then looks the partition up once per call instead of running the
 * partitioner per record (a key hash, a reference count taken and dropped, a clock read: about a
 * fifth of the main thread's CPU per record, twenty-eighth session). A topic of several
 * partitions, when the configured partitioner hashes keys, gets each keyed record's partition
 * named: the partition librdkafka's own partitioner function (its public one, called here)
 * gives for the key and the partition count the run began with, the records of a chunk grouped
 * by partition, each partition's in batch order (twenty-ninth session). Records without a key
 * (or, under consistent_random, with an empty one) still go through librdkafka's partitioner,
 * which places them on its sticky partition, as any other topic's records do
 * (RD_KAFKA_PARTITION_UA). It links against node-rdkafka's own librdkafka.so.1, so both use one
 * copy.
 *
 * A batch goes to librdkafka a chunk of up to CHUNK records at a time, each chunk as one
 * rd_kafka_produce_batch() per dataset (topic) in it: librdkafka then reads its two clocks and
 * takes the topic's lock once per call, not once per record. Each topic still gets its records
 * in batch order; only the order between topics within a chunk changes, which Kafka does not
 * keep anyway (each topic is its own log). A record's timestamp is the time its call began: a
 * chunk takes a fraction of a millisecond to hand over, so the timestamps (milliseconds) are the
 * per-record ones to within that.
 */
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdkafka.h"

/* ---- plugin side: which rd_kafka_t handles exist ---- */

#define MAX_CLIENTS 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  rd_kafka_t *rk;
  uint32_t generation;
} clients[MAX_CLIENTS];
static uint32_t generation = 0;

static rd_kafka_resp_err_t on_destroy(rd_kafka_t *rk, void *ic_opaque) {
  (void)ic_opaque;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].rk == rk) clients[i].rk = NULL;
  pthread_mutex_unlock(&lock);
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t on_new(rd_kafka_t *rk, const rd_kafka_conf_t *conf, void *ic_opaque, char *errstr, size_t errstr_size) {
  (void)conf;
  (void)ic_opaque;
  (void)errstr;
  (void)errstr_size;
  pthread_mutex_lock(&lock);
  generation++;
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (!clients[i].rk) {
      clients[i].rk = rk;
      clients[i].generation = generation;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  return rd_kafka_interceptor_add_on_destroy(rk, "datagen-bulk", on_destroy, NULL);
}

/* Called by librdkafka for each configuration that lists this library (and for its copies). */
rd_kafka_resp_err_t conf_init(rd_kafka_conf_t *conf, void **plug_opaquep, char *errstr, size_t errstr_size) {
  (void)plug_opaquep;
  (void)errstr;
  (void)errstr_size;
  return rd_kafka_conf_interceptor_add_on_new(conf, "datagen-bulk", on_new, NULL);
}

/* ---- Node-API side ---- */

/* Records per chunk (see the top). */
#define CHUNK 4096

/* The most partitions a topic can have for its records to be named by key: a chunk walks every
   group (exported as maxPartitions, so the sink asks for no more). */
#define MAX_BY_KEY 65536

/* librdkafka's partitioner functions (public API), by their `partitioner` setting's name. */
typedef int32_t (*partitioner_t)(const rd_kafka_topic_t *, const void *, size_t, int32_t, void *, void *);
static const struct {
  const char *name;
  partitioner_t fn;
} partitioners[] = {
    {"consistent_random", rd_kafka_msg_partitioner_consistent_random},
    {"consistent", rd_kafka_msg_partitioner_consistent},
    {"murmur2_random", rd_kafka_msg_partitioner_murmur2_random},
    {"murmur2", rd_kafka_msg_partitioner_murmur2},
    {"fnv1a_random", rd_kafka_msg_partitioner_fnv1a_random},
    {"fnv1a", rd_kafka_msg_partitioner_fnv1a},
};

typedef struct {
  rd_kafka_t *rk;
  size_t ntopics;
  rd_kafka_topic_t **topics;
  int32_t *partition;             /* per dataset: the partition to name, or RD_KAFKA_PARTITION_UA */
  int32_t *by_key;                /* per dataset: the partition count keys are hashed over, or 0 */
  uint32_t *group;                /* per dataset: its first group (ntopics + 1; see produce_chunk) */
  size_t ngroups;
  partitioner_t hash;             /* the configured partitioner, when by_key is used */
  /* Scratch for one chunk, kept between calls. */
  rd_kafka_message_t framed[CHUNK]; /* each record's key, value and partition, in batch order */
  rd_kafka_message_t msgs[CHUNK];   /* the same, grouped by dataset, then by partition */
  size_t start[CHUNK + 1];          /* each record's byte offset, in batch order; then the chunk's end */
  uint16_t dataset[CHUNK];        /* each record's dataset, in batch order */
  uint32_t grp[CHUNK];            /* each record's group, in batch order */
  uint32_t slot[CHUNK];           /* each record's place in msgs */
  uint32_t *first;                /* per group: where its records begin in msgs (ngroups + 1) */
  uint8_t *spare;                 /* records not taken, gathered before they move to the chunk's end */
  size_t spare_size;
} bulk_t;

static void release_topics(bulk_t *b) {
  for (size_t i = 0; b->topics && i < b->ntopics; i++)
    if (b->topics[i]) rd_kafka_topic_destroy(b->topics[i]);
  free(b->topics);
  b->topics = NULL;
  free(b->partition);
  b->partition = NULL;
  free(b->by_key);
  b->by_key = NULL;
  free(b->group);
  b->group = NULL;
  b->ngroups = 0;
  b->ntopics = 0;
  free(b->first);
  b->first = NULL;
  free(b->spare);
  b->spare = NULL;
  b->spare_size = 0;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  /* Topic handles are released by release() before the producer is destroyed; a handle left here
     belongs to a client that may be gone, so it is not touched. */
  free(data);
}

#define CHECK(call)                                    \
  do {                                                 \
    if ((call) != napi_ok) {                           \
      napi_throw_error(env, NULL, "bulk: " #call);     \
      return NULL;                                     \
    }                                                  \
  } while (0)

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/* generation(): how many clients have been created with the plugin so far. */
static napi_value js_generation(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  uint32_t g = generation;
  pthread_mutex_unlock(&lock);
  return number(env, g);
}

/* claim(after, topicNames, partitions, byKey, partitioner): the one live client created after
   generation `after`, with a topic handle for each name; null when there is not exactly one.
   partitions[i] is the partition topic i's records are given, or -1 (RD_KAFKA_PARTITION_UA, also
   when missing) for the configured partitioner to pick one per record. byKey[i], from 2 to MAX_BY_KEY
   (and partitions[i] is -1), is topic i's partition count: each keyed record is then given the
   partition librdkafka's partitioner function named `partitioner` picks for its key over that
   many (see the top); a name not in `partitioners` leaves every record to librdkafka. */
static napi_value js_claim(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double after;
  CHECK(napi_get_value_double(env, argv[0], &after));
  rd_kafka_t *rk = NULL;
  int found = 0;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (clients[i].rk && clients[i].generation > (uint32_t)after) {
      rk = clients[i].rk;
      found++;
    }
  }
  pthread_mutex_unlock(&lock);
  napi_value nul;
  napi_get_null(env, &nul);
  if (found != 1) return nul;

  uint32_t n;
  CHECK(napi_get_array_length(env, argv[1], &n));
  partitioner_t hash = NULL;
  char name[64];
  size_t len = 0;
  if (argc >= 5 && napi_get_value_string_utf8(env, argv[4], name, sizeof name, &len) == napi_ok)
    for (size_t i = 0; i < sizeof partitioners / sizeof partitioners[0]; i++)
      if (!strcmp(name, partitioners[i].name)) hash = partitioners[i].fn;
  /* From here on, any failure gives back what was made so far and no handle (the sink then
     produces per record). */
  bulk_t *b = calloc(1, sizeof(bulk_t));
  if (!b) return nul;
  b->rk = rk;
  b->hash = hash;
  b->ntopics = n;
  b->topics = calloc(n ? n : 1, sizeof(rd_kafka_topic_t *));
  b->partition = calloc(n ? n : 1, sizeof(int32_t));
  b->by_key = calloc(n ? n : 1, sizeof(int32_t));
  b->group = calloc(n + 1, sizeof(uint32_t));
  if (!b->topics || !b->partition || !b->by_key || !b->group) goto fail;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    char buf[512];
    b->partition[i] = RD_KAFKA_PARTITION_UA;
    if (argc >= 3 && napi_get_element(env, argv[2], i, &v) == napi_ok) napi_get_value_int32(env, v, &b->partition[i]);
    if (hash && b->partition[i] == RD_KAFKA_PARTITION_UA && argc >= 4 && napi_get_element(env, argv[3], i, &v) == napi_ok)
      napi_get_value_int32(env, v, &b->by_key[i]);
    if (b->by_key[i] < 2 || b->by_key[i] > MAX_BY_KEY) b->by_key[i] = 0;
    /* Groups: one for a topic whose records all get one partition (or the partitioner's); for a
       topic named by key, one for its keyless records and one per partition. */
    b->group[i + 1] = b->group[i] + (b->by_key[i] ? 1 + (uint32_t)b->by_key[i] : 1);
    /* A name that does not fit is refused, never truncated into another topic's name. */
    if (napi_get_element(env, argv[1], i, &v) != napi_ok || napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok ||
        len >= sizeof buf - 1 || !(b->topics[i] = rd_kafka_topic_new(rk, buf, NULL)))
      goto fail;
  }
  b->ngroups = b->group[n];
  if (!(b->first = calloc(b->ngroups + 1, sizeof(uint32_t)))) goto fail;
  napi_value ext;
  if (napi_create_external(env, b, finalize, NULL, &ext) != napi_ok) goto fail;
  return ext;
fail:
  release_topics(b);
  free(b);
  return nul;
}

/* The call's first n arguments into argv, and the bulk_t its first one holds (NULL, with a
   JavaScript exception pending, when they cannot be read). */
static bulk_t *bulk_args(napi_env env, napi_callback_info info, napi_value *argv, size_t n) {
  size_t argc = n;
  bulk_t *b = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n ||
      napi_get_value_external(env, argv[0], (void **)&b) != napi_ok) {
    napi_throw_error(env, NULL, "bulk: bad arguments");
    return NULL;
  }
  return b;
}

/* release(handle): destroys the topic handles; call before the producer disconnects. */
static napi_value js_release(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  bulk_t *b = bulk_args(env, info, argv, 1);
  if (!b) return NULL;
  release_topics(b);
  b->rk = NULL;
  return NULL;
}

static inline int32_t read_i32(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, 4); /* little-endian, as the batch writer wrote it (x86-64, arm64) */
  return v;
}

/*
 * One chunk: n records as js_produce framed them (offsets in b->start[0..n], datasets in
 * b->dataset, groups in b->grp, keys, values and partitions in b->framed), handed over as one
 * rd_kafka_produce_batch() per dataset, adding one to produced[dataset] for each record taken.
 * A dataset's records go in group order: for a topic named by key, its keyless records, then
 * partition 0's, 1's and so on, each group's in batch order, so librdkafka looks each partition
 * up once. Returns 0 when all were taken. Otherwise returns the
 * error of the first record refused and moves the records not taken to the end of the chunk,
 * in batch order but with the refused record first, so that the caller goes on (or reports)
 * from *resume: after a full queue (_QUEUE_FULL) each dataset's records from the refused one on
 * were not taken, and datasets after it were not tried. Any other refusal ends the run; records
 * of its dataset after it may have been taken (librdkafka goes on past such a refusal).
 */
static int produce_chunk(bulk_t *b, uint8_t *buf, size_t n, double *produced, size_t *resume) {
  size_t nt = b->ntopics, ng = b->ngroups;
  uint32_t *first = b->first;
  memset(first, 0, (ng + 1) * sizeof(uint32_t));
  for (size_t i = 0; i < n; i++) first[b->grp[i] + 1]++;
  for (size_t g = 0; g < ng; g++) first[g + 1] += first[g];
  /* first[g] now counts from where group g's records begin; fill msgs in batch order. */
  for (size_t i = 0; i < n; i++) {
    uint32_t at = first[b->grp[i]]++;
    b->slot[i] = at;
    b->msgs[at] = b->framed[i];
  }
  /* Shift back: first[g] is where group g begins again. */
  for (size_t g = ng; g > 0; g--) first[g] = first[g - 1];
  first[0] = 0;

  int err = 0;
  size_t stopped = nt; /* the dataset whose call had a refusal */
  for (size_t d = 0; d < nt; d++) {
    uint32_t from = first[b->group[d]];
    int cnt = (int)(first[b->group[d + 1]] - from);
    if (!cnt) continue;
    rd_kafka_message_t *m = &b->msgs[from];
    int flags = RD_KAFKA_MSG_F_COPY | (b->by_key[d] ? RD_KAFKA_MSG_F_PARTITION : 0);
    int good = rd_kafka_produce_batch(b->topics[d], b->partition[d], flags, m, cnt);
    produced[d] += good;
    if (good < cnt) {
      for (int k = 0; k < cnt; k++)
        if (m[k].err) {
          err = m[k].err;
          break;
        }
      stopped = d;
      break;
    }
  }
  if (!err) return 0;

  /* Gather the records not taken: the refused one first, then the others in batch order. A
     record was not taken if it has an error, or its dataset comes after the one that stopped. */
  size_t chunk_start = b->start[0], chunk_end = b->start[n];
  if (b->spare_size < chunk_end - chunk_start) {
    uint8_t *grown = realloc(b->spare, chunk_end - chunk_start);
    if (!grown) {
      /* Out of memory: nothing is moved, and the run fails, reporting from the chunk's start. */
      *resume = chunk_start;
      return RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE;
    }
    b->spare = grown;
    b->spare_size = chunk_end - chunk_start;
  }
  size_t len = 0, refused = n;
  for (size_t i = 0; i < n && refused == n; i++)
    if (b->dataset[i] == stopped && b->msgs[b->slot[i]].err == err) refused = i;
  for (size_t pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < n; i++) {
      if ((pass == 0) != (i == refused)) continue;
      if (b->dataset[i] < stopped || (b->dataset[i] == stopped && !b->msgs[b->slot[i]].err)) continue;
      size_t size = b->start[i + 1] - b->start[i];
      memcpy(b->spare + len, buf + b->start[i], size);
      len += size;
    }
  }
  memcpy(buf + chunk_end - len, b->spare, len);
  *resume = chunk_end - len;
  return err;
}

/*
 * produce(handle, arrayBuffer, start, end, produced): enqueues the records packed in
 * arrayBuffer[start, end), adding one to produced[dataset] for each, each topic's in batch order
 * (see the top). Stops at the first record librdkafka refuses. Returns the byte offset to go on
 * from (end when all were taken): the records from there to end are the ones not taken, the
 * refused one first, moved there within the buffer. Puts the refusal's error code in
 * produced[produced.length - 1] (0 when none; _BAD_MSG when the batch is not well formed, which
 * would be a bug in the encoder: then the records before the malformed one are taken).
 */
static napi_value js_produce(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  bulk_t *b = bulk_args(env, info, argv, 5);
  if (!b) return NULL;
  void *data;
  size_t size;
  CHECK(napi_get_arraybuffer_info(env, argv[1], &data, &size));
  double startd, endd;
  CHECK(napi_get_value_double(env, argv[2], &startd));
  CHECK(napi_get_value_double(env, argv[3], &endd));
  napi_typedarray_type type;
  size_t counts_len;
  void *counts_data;
  CHECK(napi_get_typedarray_info(env, argv[4], &type, &counts_len, &counts_data, NULL, NULL));
  if (type != napi_float64_array || counts_len != b->ntopics + 1 || !b->rk || b->ntopics > 65535) {
    napi_throw_error(env, NULL, "bulk: bad produce() arguments");
    return NULL;
  }
  double *produced = counts_data;
  uint8_t *buf = data;
  size_t pos = (size_t)startd, end = (size_t)endd;
  if (end > size) end = size;
  int err = 0;
  while (pos < end && !err) {
    /* Frame up to CHUNK records: dataset (u16), key length (i32, -1 for none), key, value length
       (i32, -1 for none), value. */
    size_t n = 0, at = pos;
    while (n < CHUNK && at < end) {
      if (at + 10 > end) {
        err = RD_KAFKA_RESP_ERR__BAD_MSG;
        break;
      }
      uint16_t dataset = (uint16_t)(buf[at] | (buf[at + 1] << 8));
      int32_t klen = read_i32(buf + at + 2);
      size_t next = at + 6 + (klen > 0 ? (size_t)klen : 0);
      if (next + 4 > end) {
        err = RD_KAFKA_RESP_ERR__BAD_MSG;
        break;
      }
      int32_t vlen = read_i32(buf + next);
      uint8_t *value = buf + next + 4;
      next += 4 + (vlen > 0 ? (size_t)vlen : 0);
      if (dataset >= b->ntopics || next > end) {
        err = RD_KAFKA_RESP_ERR__BAD_MSG;
        break;
      }
      rd_kafka_message_t *m = &b->framed[n];
      memset(m, 0, sizeof *m);
      m->key = klen >= 0 ? buf + at + 6 : NULL;
      m->key_len = klen > 0 ? (size_t)klen : 0;
      m->payload = vlen >= 0 ? value : NULL;
      m->len = vlen > 0 ? (size_t)vlen : 0;
      uint32_t group = b->group[dataset];
      int32_t cnt = b->by_key[dataset];
      m->partition = RD_KAFKA_PARTITION_UA;
      /* librdkafka's own rule: no key, or under consistent_random an empty one, goes to its
         sticky partition; any other key to the partitioner function's pick. */
      if (cnt && m->key && (m->key_len || b->hash != rd_kafka_msg_partitioner_consistent_random)) {
        m->partition = b->hash(b->topics[dataset], m->key, m->key_len, cnt, NULL, NULL);
        group += 1 + (uint32_t)m->partition;
      }
      b->start[n] = at;
      b->grp[n] = group;
      b->dataset[n++] = dataset;
      at = next;
    }
    if (!n) break;
    b->start[n] = at;
    size_t resume = at;
    int refused = produce_chunk(b, buf, n, produced, &resume);
    pos = resume;
    if (refused) err = refused;
  }
  produced[b->ntopics] = err;
  return number(env, (double)pos);
}

/* err2str(code): librdkafka's text for an error code. */
static napi_value js_err2str(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t code;
  CHECK(napi_get_value_int32(env, argv[0], &code));
  napi_value out;
  CHECK(napi_create_string_utf8(env, rd_kafka_err2str((rd_kafka_resp_err_t)code), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"generation", NULL, js_generation, NULL, NULL, NULL, napi_enumerable, NULL},
      {"claim", NULL, js_claim, NULL, NULL, NULL, napi_enumerable, NULL},
      {"release", NULL, js_release, NULL, NULL, NULL, napi_enumerable, NULL},
      {"produce", NULL, js_produce, NULL, NULL, NULL, napi_enumerable, NULL},
      {"err2str", NULL, js_err2str, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  /* partitioners: the `partitioner` settings whose picks claim() can name (see the top). */
  napi_value names;
  size_t count = sizeof partitioners / sizeof partitioners[0];
  if (napi_create_array_with_length(env, count, &names) != napi_ok) return exports;
  for (size_t i = 0; i < count; i++) {
    napi_value name;
    if (napi_create_string_utf8(env, partitioners[i].name, NAPI_AUTO_LENGTH, &name) == napi_ok) napi_set_element(env, names, (uint32_t)i, name);
  }
  napi_set_named_property(env, exports, "partitioners", names);
  napi_set_named_property(env, exports, "maxPartitions", number(env, MAX_BY_KEY));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
