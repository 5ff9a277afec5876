// Minimal fentry program: that it loads shows the kernel allows BPF trampolines on
// tcp_conn_request (BTF present, fentry permitted), which synq's fentry strategy needs.
// No headers, so building it needs clang alone.
#define SEC(name) __attribute__((section(name), used))

SEC("fentry/tcp_conn_request")
int on_tcp_conn_request(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
