/* The arena plan: every input and intermediate value gets an offset in one
 * block, made once at prepare time. Two values share bytes only when their
 * lifetimes (from the node that writes them to the last node that reads them)
 * do not meet; values aliased by reshape-like nodes share their root's buffer
 * and extend its lifetime. The workspace of the hungriest node sits after
 * the values. Placement is first-fit, largest values first. */
#include <stdlib.h>

#include "graph_internal.h"

static graph_value *root_of(graph_value *v)
{
    while (v->alias)
        v = v->alias;
    return v;
}

static size_t align_up(size_t n)
{
    return (n + CNN_ALIGNMENT - 1) / CNN_ALIGNMENT * CNN_ALIGNMENT;
}

static int by_size_desc(const void *a, const void *b)
{
    const graph_value *x = *(graph_value *const *)a, *y = *(graph_value *const *)b;
    return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static int lifetimes_meet(const graph_value *a, const graph_value *b)
{
    return a->first_node <= b->last_node && b->first_node <= a->last_node;
}

static void extend(graph_value *v, int node)
{
    graph_value *r = root_of(v);
    if (node > r->last_node)
        r->last_node = node;
}

cnn_status graph_plan(cnn_graph *g, size_t *arena_size, size_t *workspace_offset)
{
    size_t workspace = 0;
    for (int i = 0; i < g->n_values; i++) {
        graph_value *v = g->values[i];
        if (v->alias && root_of(v)->kind == VALUE_CONSTANT)
            v->alias = NULL; /* the node copies out of the constant */
        v->first_node = v->last_node = -1;
        v->bytes = 0;
    }
    for (int k = 0; k < g->n_nodes; k++) {
        cnn_graph_node *n = g->nodes[k];
        if (n->folded || n->fused)
            continue;
        if (n->workspace_size > workspace)
            workspace = n->workspace_size;
        for (int i = 0; i < n->n_out; i++)
            if (n->out[i]) {
                n->out[i]->first_node = n->out[i]->last_node = k;
                extend(n->out[i], k);
            }
        for (int i = 0; i < n->n_in; i++)
            if (n->in[i])
                extend(n->in[i], k);
    }
    for (int i = 0; i < g->n_values; i++) {
        graph_value *v = g->values[i];
        if (v->is_output)
            extend(v, g->n_nodes);
    }

    graph_value **roots = malloc((size_t)(g->n_values > 0 ? g->n_values : 1) * sizeof *roots);
    if (!roots)
        return cnn_fail(CNN_ERR_NOMEM, "graph plan: out of memory");
    int n_roots = 0;
    for (int i = 0; i < g->n_values; i++) {
        graph_value *v = g->values[i];
        if (v->kind == VALUE_CONSTANT || v->alias ||
            (v->kind == VALUE_TEMP && v->first_node < 0)) /* fused away */
            continue;
        v->bytes = align_up(graph_numel(v->t.ndim, v->t.shape) * sizeof(float));
        roots[n_roots++] = v;
    }
    qsort(roots, (size_t)n_roots, sizeof *roots, by_size_desc);

    size_t end = 0;
    for (int i = 0; i < n_roots; i++) {
        graph_value *v = roots[i];
        /* lowest offset clear of every placed value whose lifetime meets v's:
         * retry after each collision, which only moves the offset up */
        size_t offset = 0;
        for (int moved = 1; moved;) {
            moved = 0;
            for (int j = 0; j < i; j++) {
                const graph_value *p = roots[j];
                if (lifetimes_meet(v, p) && offset < p->offset + p->bytes &&
                    p->offset < offset + v->bytes) {
                    offset = p->offset + p->bytes;
                    moved = 1;
                }
            }
        }
        v->offset = offset;
        if (offset + v->bytes > end)
            end = offset + v->bytes;
    }
    free(roots);
    *workspace_offset = end;
    *arena_size = end + align_up(workspace);
    return CNN_OK;
}
