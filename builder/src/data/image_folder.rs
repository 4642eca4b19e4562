//! A folder of PNG images with one sub-folder per class (sorted names are the
//! class order unless `classes` is given).

use super::{class_index, files::DataFile, Dataset};
use crate::error::{BuildError, Result};
use crate::spec::Job;
use sha2::{Digest as _, Sha256};
use slsa_aibom_verify::commitment::Record;

/// Load every PNG under `path/<class>/`, checking each image's size and channels.
pub fn load(job: &Job) -> Result<Dataset> {
    let spec = &job.spec.dataset;
    let def = &spec.definition;
    let root = job.resolve(&spec.path);
    let root_name = spec.path.display().to_string();
    let [h, w, c] = match def.input_shape.as_slice() {
        [h, w, c] if *c == 1 || *c == 3 => [*h, *w, *c],
        other => {
            return Err(BuildError::Data(format!(
                "an image folder needs input_shape [height, width, 1 or 3], not {other:?}"
            )))
        }
    };
    let list = |dir: &std::path::Path| -> Result<Vec<String>> {
        let mut names = Vec::new();
        for e in std::fs::read_dir(dir)
            .map_err(|e| BuildError::Data(format!("cannot list {}: {e}", dir.display())))?
        {
            let e =
                e.map_err(|e| BuildError::Data(format!("cannot list {}: {e}", dir.display())))?;
            names.push(
                e.file_name()
                    .into_string()
                    .map_err(|n| BuildError::Data(format!("non-UTF-8 name {n:?}")))?,
            );
        }
        names.sort();
        Ok(names)
    };
    let class_dirs: Vec<String> = list(&root)?
        .into_iter()
        .filter(|n| root.join(n).is_dir())
        .collect();
    let classes = def.classes.clone().unwrap_or_else(|| class_dirs.clone());
    let mut out = Dataset {
        features: Vec::new(),
        targets: Vec::new(),
        records: Vec::new(),
        width: h * w * c,
        classes: Some(classes.clone()),
        files: Vec::new(),
        croissant: None,
        assigned: None,
        texts: Vec::new(),
    };
    let mut manifest = Sha256::new();
    let mut total = 0u64;
    for class in &class_dirs {
        let label = class_index(class, Some(&classes), classes.len(), &|| {
            format!("{root_name}/{class}")
        })?;
        for file in list(&root.join(class))? {
            let rel = format!("{class}/{file}");
            let bytes = crate::data::read_regular(&root.join(&rel))
                .map_err(|e| BuildError::Data(format!("{root_name}/{rel}: {e}")))?;
            let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
                .map_err(|e| {
                    BuildError::Data(format!("{root_name}/{rel}: not a PNG image: {e}"))
                })?;
            if (img.height() as usize, img.width() as usize) != (h, w) {
                return Err(BuildError::Data(format!(
                    "{root_name}/{rel}: image is {}×{}, input_shape needs {h}×{w}",
                    img.height(),
                    img.width()
                )));
            }
            let pixels = if c == 1 {
                img.to_luma8().into_raw()
            } else {
                img.to_rgb8().into_raw()
            };
            out.features.extend(pixels.iter().map(|&p| f32::from(p)));
            out.targets.push(label);
            let file = DataFile::of_bytes(&rel, &bytes);
            manifest.update(format!("{}  {}\n", file.sha256, rel));
            total += file.size;
            out.records.push(Record {
                key: rel,
                data: bytes,
            });
        }
    }
    // The folder is one dependency: the sha256 of its sha256sum-style
    // manifest ("<hex>  <class>/<file>\n", sorted), with the total size.
    out.files.push(DataFile {
        name: root_name,
        size: total,
        sha256: hex::encode(manifest.finalize()),
    });
    Ok(out)
}
