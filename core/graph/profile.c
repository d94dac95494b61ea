/* Per-node profiling of cnn_graph_run(): every executed node counts its
 * calls and nanoseconds while profiling is on; the labels (operator and the
 * nodes fused into it) are made once at prepare. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph_internal.h"

uint64_t graph_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "first+second+...": the field of n and of each node fused into it. */
static char *join_fused(const cnn_graph *g, const cnn_graph_node *n, int op_names)
{
    size_t len = 1;
    for (int k = 0; k < g->n_nodes; k++) {
        const cnn_graph_node *m = g->nodes[k];
        if (m->fused_into == n)
            len += strlen(op_names ? m->op->name : m->name) + 1;
    }
    if (op_names)
        len += strlen(n->op->name);
    char *s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, op_names ? n->op->name : "");
    for (int k = 0; k < g->n_nodes; k++) {
        const cnn_graph_node *m = g->nodes[k];
        if (m->fused_into != n)
            continue;
        if (*s)
            strcat(s, "+");
        strcat(s, op_names ? m->op->name : m->name);
    }
    return s;
}

cnn_status graph_profile_prepare(cnn_graph *g)
{
    for (int k = 0; k < g->n_nodes; k++) {
        cnn_graph_node *n = g->nodes[k];
        if (!n->executed)
            continue;
        if (!(n->profile_op = join_fused(g, n, 1)) || !(n->profile_fused = join_fused(g, n, 0)))
            return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    }
    return CNN_OK;
}

void cnn_graph_set_profiling(cnn_graph *g, int on)
{
    g->profiling = on != 0;
}

void cnn_graph_reset_profile(cnn_graph *g)
{
    for (int k = 0; k < g->n_nodes; k++)
        g->nodes[k]->profile_calls = g->nodes[k]->profile_ns = 0;
}

int cnn_graph_profile_count(const cnn_graph *g)
{
    int count = 0;
    for (int k = 0; g->prepared && k < g->n_nodes; k++)
        count += g->nodes[k]->executed;
    return count;
}

static const cnn_graph_node *executed_node(const cnn_graph *g, int i)
{
    for (int k = 0; g->prepared && k < g->n_nodes; k++)
        if (g->nodes[k]->executed && i-- == 0)
            return g->nodes[k];
    return NULL;
}

cnn_status cnn_graph_get_profile(const cnn_graph *g, int i, cnn_graph_node_profile *p)
{
    const cnn_graph_node *n = i >= 0 ? executed_node(g, i) : NULL;
    if (!n)
        return cnn_fail(CNN_ERR_INVALID_ARG, "graph: no executed node %d (%d after prepare)", i,
                        cnn_graph_profile_count(g));
    memset(p, 0, sizeof *p);
    p->name = n->name;
    p->op_type = n->profile_op;
    p->fused = n->profile_fused;
    if (n->out[0]) {
        p->ndim = n->out[0]->t.ndim;
        memcpy(p->shape, n->out[0]->t.shape, sizeof p->shape);
    }
    p->calls = n->profile_calls;
    p->total_ns = n->profile_ns;
    return CNN_OK;
}

static int by_time_desc(const void *a, const void *b)
{
    const cnn_graph_node_profile *x = a, *y = b;
    return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

cnn_status cnn_graph_print_profile(const cnn_graph *g, FILE *f)
{
    if (!g->prepared)
        return cnn_fail(CNN_ERR_INVALID_ARG, "graph: profile printed before prepare");
    int count = cnn_graph_profile_count(g);
    cnn_graph_node_profile *p = malloc((size_t)(count ? count : 1) * sizeof *p);
    if (!p)
        return cnn_fail(CNN_ERR_NOMEM, "graph: out of memory");
    uint64_t total = 0, runs = 0;
    for (int i = 0; i < count; i++) {
        cnn_graph_get_profile(g, i, &p[i]);
        total += p[i].total_ns;
        if (p[i].calls > runs)
            runs = p[i].calls;
    }
    qsort(p, (size_t)count, sizeof *p, by_time_desc);
    fprintf(f, "# profile: %d nodes executed, %llu runs, %.3f ms per run (sum of nodes)\n",
            count, (unsigned long long)runs, runs ? total / 1e6 / (double)runs : 0.0);
    fprintf(f, "# %10s %6s %6s  %-32s %-16s %s\n", "ms/run", "%", "calls", "op", "output",
            "node");
    for (int i = 0; i < count; i++) {
        char shape[16 * CNN_MAX_DIMS] = "";
        for (int d = 0; d < p[i].ndim; d++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%d", d ? "x" : "",
                     p[i].shape[d]);
        fprintf(f, "  %10.4f %6.2f %6llu  %-32s %-16s %s\n",
                p[i].calls ? p[i].total_ns / 1e6 / (double)p[i].calls : 0.0,
                total ? 100.0 * (double)p[i].total_ns / (double)total : 0.0,
                (unsigned long long)p[i].calls, p[i].op_type, shape, p[i].name);
    }
    free(p);
    return CNN_OK;
}
