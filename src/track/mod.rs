//! Body tracking math, GPU-free: landmarks from a tracker (MediaPipe's hand and face models), where each
//! kind of jewel is anchored, and the One Euro filter that keeps it still.

pub mod anchor;
pub mod face;
pub mod face_session;
pub mod filter;
pub mod hand;
pub mod one_euro;
pub mod session;
