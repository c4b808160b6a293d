//! /etc/ld.so.cache reader. INTERFACE SKELETON.
