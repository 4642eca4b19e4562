//! IDX files (the MNIST format): an unsigned-byte image tensor and a label vector.

use super::{files, Dataset};
use crate::error::{BuildError, Result};
use crate::spec::Job;
use slsa_aibom_verify::commitment::Record;

/// Parse an IDX header of unsigned bytes; returns the dimensions and the body.
fn parse<'a>(bytes: &'a [u8], name: &str) -> Result<(Vec<usize>, &'a [u8])> {
    let bad = |why: &str| BuildError::Data(format!("{name}: not an IDX file: {why}"));
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err(bad("bad magic"));
    }
    if bytes[2] != 0x08 {
        return Err(bad(&format!(
            "element type 0x{:02x} is not unsigned byte (0x08)",
            bytes[2]
        )));
    }
    let ndims = bytes[3] as usize;
    let body_at = 4 + 4 * ndims;
    if bytes.len() < body_at {
        return Err(bad("truncated header"));
    }
    let dims: Vec<usize> = bytes[4..body_at]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad("dimensions overflow"))?;
    let body = &bytes[body_at..];
    if body.len() != expected {
        return Err(bad(&format!(
            "dimensions {dims:?} need {expected} bytes, the file has {}",
            body.len()
        )));
    }
    Ok((dims, body))
}

/// Load IDX images and labels; the image shape must match `input_shape`.
pub fn load(job: &Job) -> Result<Dataset> {
    let spec = &job.spec.dataset;
    let def = &spec.definition;
    let img_name = spec.path.display().to_string();
    let labels_path = spec
        .labels
        .as_ref()
        .ok_or_else(|| BuildError::Spec("an IDX dataset needs dataset.labels".into()))?;
    let lab_name = labels_path.display().to_string();
    let (img_bytes, img_file) = files::read(&job.resolve(&spec.path), &img_name)?;
    let (lab_bytes, lab_file) = files::read(&job.resolve(labels_path), &lab_name)?;
    let (dims, pixels) = parse(&img_bytes, &img_name)?;
    let (ldims, labels) = parse(&lab_bytes, &lab_name)?;
    if dims.len() < 2 || ldims.len() != 1 || ldims[0] != dims[0] {
        return Err(BuildError::Data(format!(
            "{img_name} has dimensions {dims:?} and {lab_name} {ldims:?}: expected [n, ...] images and [n] labels"
        )));
    }
    let width: usize = dims[1..].iter().product();
    let declared: usize = def.input_shape.iter().product();
    if width != declared {
        return Err(BuildError::Data(format!(
            "{img_name}: each image has {width} values ({:?}) but input_shape {:?} holds {declared}",
            &dims[1..],
            def.input_shape
        )));
    }
    let mut records = Vec::with_capacity(dims[0]);
    for (i, (&label, img)) in labels.iter().zip(pixels.chunks_exact(width)).enumerate() {
        let mut data = Vec::with_capacity(1 + width);
        data.push(label);
        data.extend_from_slice(img);
        records.push(Record {
            key: format!("{i:010}"),
            data,
        });
    }
    Ok(Dataset {
        features: pixels.iter().map(|&p| f32::from(p)).collect(),
        targets: labels.iter().map(|&l| f32::from(l)).collect(),
        records,
        width,
        classes: def.classes.clone(),
        files: vec![img_file, lab_file],
        croissant: None,
        assigned: None,
        texts: Vec::new(),
    })
}
