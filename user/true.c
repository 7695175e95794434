/*
 * true: do nothing, successfully.  Also the smallest program to exec,
 * which makes it the benchmark for fork+exec+wait.
 */
int
main(void)
{
	return 0;
}
