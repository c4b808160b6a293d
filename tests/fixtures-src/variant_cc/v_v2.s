# libV as installed: v_call is gone.
	.text
	.globl	v_other
	.type	v_other, %function
v_other:
	li	a0, 0
	ret
	.size	v_other, .-v_other
	.section	.note.GNU-stack,"",@progbits
