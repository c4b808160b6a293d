//! What the target's own loader tells about itself. INTERFACE SKELETON.
