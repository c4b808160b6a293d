# libV as linked against: v_call marked with the variant calling convention.
	.text
	.globl	v_call
	.type	v_call, %function
	.variant_cc v_call
v_call:
	li	a0, 7
	ret
	.size	v_call, .-v_call
	.section	.note.GNU-stack,"",@progbits
