/* libV as linked against: defines the vector-PCS function. */
__attribute__((aarch64_vector_pcs)) int v_call(int x) { return x + 1; }
