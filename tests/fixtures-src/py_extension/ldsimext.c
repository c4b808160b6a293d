/* A CPython extension module with one function; built with -DMODNAME=<name>.
 * -DNEEDS_NOWHERE adds a call to a function nothing defines. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)

#ifdef NEEDS_NOWHERE
int ldsim_py_nowhere(void);
#endif

static PyObject *answer(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
#ifdef NEEDS_NOWHERE
    return PyLong_FromLong(ldsim_py_nowhere());
#else
    return PyLong_FromLong(42);
#endif
}

static PyMethodDef methods[] = {
    {"answer", answer, METH_NOARGS, "Returns 42."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, STR(MODNAME), NULL, -1, methods};

PyMODINIT_FUNC CAT(PyInit_, MODNAME)(void) { return PyModule_Create(&module); }
