// The helpers are static inline in the header; this file gives the C target a source.
#include "ChorusCSupport.h"
