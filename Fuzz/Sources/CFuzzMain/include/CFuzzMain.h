// The entry points SwiftPM links the fuzz executables with (see FuzzMain.c).
int FuzzDispatch_main(int argc, char **argv);
int FuzzSigV4_main(int argc, char **argv);
int FuzzResponses_main(int argc, char **argv);
