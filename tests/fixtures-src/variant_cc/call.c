/* A PLT call to a function marked `.variant_cc` (STO_RISCV_VARIANT_CC in the dynamic
   symbol, DT_RISCV_VARIANT_CC in the program). Unlike aarch64's variant PCS, glibc's
   riscv elf_machine_lazy_rel does not bind it early: the call stays lazy. */
#include <stdio.h>

int v_call(void);

int main(void) {
    puts("started");
    fflush(stdout);
    printf("v_call=%d\n", v_call());
    return 0;
}
