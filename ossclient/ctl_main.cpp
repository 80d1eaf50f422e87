// ossctl: see ossclient/ctl/ossctl.h.
#include "ctl/ossctl.h"

int main(int argc, char** argv) { return ossvp::ossclient::runOssctl(argc, argv); }
