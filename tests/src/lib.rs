//! Shared helpers for ldsim's scenario and differential tests. SKELETON.
