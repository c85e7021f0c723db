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
 * flush and shutdown. The records are the same as through node-rdkafka's produce(): same
 * partitioner (RD_KAFKA_PARTITION_UA), copied key and value, no headers, no opaque, timestamp
 * set by librdkafka. It links against node-rdkafka's own librdkafka.so.1, so both use one copy.
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

typedef struct {
  rd_kafka_t *rk;
  size_t ntopics;
  rd_kafka_topic_t **topics;
} bulk_t;

static void release_topics(bulk_t *b) {
  for (size_t i = 0; i < b->ntopics; i++)
    if (b->topics[i]) rd_kafka_topic_destroy(b->topics[i]);
  free(b->topics);
  b->topics = NULL;
  b->ntopics = 0;
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

/* claim(after, topicNames): the one live client created after generation `after`, with a topic
   handle for each name; null when there is not exactly one. */
static napi_value js_claim(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
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
  /* From here on, any failure gives back what was made so far and no handle (the sink then
     produces per record). */
  bulk_t *b = calloc(1, sizeof(bulk_t));
  rd_kafka_topic_t **topics = b ? calloc(n ? n : 1, sizeof(rd_kafka_topic_t *)) : NULL;
  if (!topics) {
    free(b);
    return nul;
  }
  b->rk = rk;
  b->topics = topics;
  b->ntopics = n;
  for (uint32_t i = 0; i < n; i++) {
    napi_value name;
    char buf[512];
    size_t len = 0;
    /* A name that does not fit is refused, never truncated into another topic's name. */
    if (napi_get_element(env, argv[1], i, &name) != napi_ok || napi_get_value_string_utf8(env, name, buf, sizeof buf, &len) != napi_ok ||
        len >= sizeof buf - 1 || !(b->topics[i] = rd_kafka_topic_new(rk, buf, NULL)))
      goto fail;
  }
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
 * produce(handle, arrayBuffer, start, end, produced): enqueues the records packed in
 * arrayBuffer[start, end) in order, adding one to produced[dataset] for each. Stops at the first
 * record librdkafka refuses. Returns the byte offset reached (end when all were taken) and puts
 * the refusal's error code in produced[produced.length - 1] (0 when none; _BAD_MSG when the batch
 * is not well formed, which would be a bug in the encoder).
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
  if (type != napi_float64_array || counts_len != b->ntopics + 1 || !b->rk) {
    napi_throw_error(env, NULL, "bulk: bad produce() arguments");
    return NULL;
  }
  double *produced = counts_data;
  const uint8_t *buf = data;
  size_t pos = (size_t)startd, end = (size_t)endd;
  if (end > size) end = size;
  int err = 0;
  while (pos + 10 <= end) {
    uint16_t dataset = (uint16_t)(buf[pos] | (buf[pos + 1] << 8));
    int32_t klen = read_i32(buf + pos + 2);
    size_t at = pos + 6;
    const void *key = NULL;
    if (klen >= 0) {
      key = buf + at;
      at += (size_t)klen;
    }
    if (at + 4 > end) {
      err = RD_KAFKA_RESP_ERR__BAD_MSG;
      break;
    }
    int32_t vlen = read_i32(buf + at);
    at += 4;
    void *value = NULL;
    if (vlen >= 0) {
      value = (void *)(buf + at);
      at += (size_t)vlen;
    }
    if (dataset >= b->ntopics || at > end) {
      err = RD_KAFKA_RESP_ERR__BAD_MSG;
      break;
    }
    if (rd_kafka_produce(b->topics[dataset], RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value, vlen > 0 ? (size_t)vlen : 0, key,
                         klen > 0 ? (size_t)klen : 0, NULL) == -1) {
      err = rd_kafka_last_error();
      break;
    }
    produced[dataset]++;
    pos = at;
  }
  if (pos < end && !err) err = RD_KAFKA_RESP_ERR__BAD_MSG;
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
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
