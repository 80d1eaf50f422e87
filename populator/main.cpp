// ossvp-populator: fills a volume from an OSS bucket path (see README.md).
#include "ossvp/populator/populator.h"

int main(int argc, char** argv) { return ossvp::populator::runMain(argc, argv); }
