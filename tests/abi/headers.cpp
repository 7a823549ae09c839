// SPDX-License-Identifier: MIT
// The umbrella header compiles as C++ and its functions link from C++.
#include <alpcscope/alpcscope.h>

int main()
{
	struct alpcscope_error err = {};
	(void)err;
	return alpcscope_status_str(ALPCSCOPE_OK)[0] == 's' ? 0 : 1;
}
