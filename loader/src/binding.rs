//! Version checks and symbol lookup. INTERFACE SKELETON.
