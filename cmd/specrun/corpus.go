package main

// corpusFlagUsage is the help of --corpus, for run and check.
const corpusFlagUsage = "corpus root for SPEC names (default $SPECRUN_CORPUS, the corpus fetched last by specrun corpus get,\n./specifications, the Go driver 1.x module's test data in the Go module cache, the Debian package location)"
