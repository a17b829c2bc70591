//! Procedural jewellery: honest placeholder models (a solitaire, metal spheres, an orientation
//! piece) built from simple shapes and written as GLB, until the model catalogue exists.
//!
//! Model space follows glTF: metres, +Y up, right-handed. A ring's finger axis is +Z, so the band
//! lies in the XY plane and the stone sits on the +Y side.

pub mod band;
pub mod catalogue;
pub mod cut;
pub mod gem;
pub mod glb;
pub mod mesh;
pub mod metal;
pub mod piece;
pub mod range;
pub mod samples;
mod search;
pub mod setting;
pub mod shapes;
pub mod sweep;

pub use glb::{
    try_write_glb, try_write_model, write_glb, write_model, Anisotropy, GlbModel, GlbPart,
    PartMaterial, Volume,
};
pub use mesh::MeshData;
pub use samples::{metal_spheres_glb, orientation_glb, sample_ring_glb};
pub use shapes::{box_mesh, prong, ring_band, round_stone, uv_sphere};

/// Errors in procedural mesh data.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum JewelryError {
    /// Normals must be absent or one per position.
    #[error("mesh {part:?} has {positions} positions but {normals} normals")]
    NormalCountMismatch {
        /// Part name.
        part: String,
        /// Number of positions.
        positions: usize,
        /// Number of normals.
        normals: usize,
    },
    /// An index that points past the vertex list.
    #[error("mesh {part:?}: index {index} is out of range for {vertex_count} vertices")]
    IndexOutOfRange {
        /// Part name.
        part: String,
        /// The offending index.
        index: u32,
        /// Number of vertices.
        vertex_count: usize,
    },
    /// The index list does not describe whole triangles.
    #[error("mesh {part:?}: {count} indices is not a whole number of triangles")]
    NotTriangles {
        /// Part name.
        part: String,
        /// Number of indices.
        count: usize,
    },
    /// A part lists materials for a different number of variants than the model has.
    #[error(
        "part {part:?} has {materials} variant materials but the model has {variants} variants"
    )]
    VariantCountMismatch {
        /// Part name.
        part: String,
        /// Materials the part lists.
        materials: usize,
        /// Variants the model has.
        variants: usize,
    },
    /// NaN or infinite coordinates.
    #[error("mesh {part:?}: vertex {vertex} is not finite")]
    NonFinite {
        /// Part name.
        part: String,
        /// Vertex index.
        vertex: usize,
    },
}
