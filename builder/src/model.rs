//! Built-in architectures (MLP and CNN) as explicit parameter lists, so that
//! initialisation can walk them in sorted-name order from our seeded
//! generator (Glorot-uniform weights, zero biases — Keras' defaults).

use crate::conv::{ConvBlock, Geometry};
use crate::dropout::Dropout;
use crate::error::{BuildError, Result};
use crate::rng::{streams, SeededRng};
use crate::spec::{Activation, Architecture, JobSpec};
use candle_core::{DType, Device, Tensor, Var};
use std::collections::BTreeMap;
use std::path::Path;

/// One parameter's name, shape and Glorot fans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    /// Name in the safetensors file, e.g. `conv.00.weight`.
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Fan-in and fan-out for Glorot initialisation (`None`: zeros).
    pub fans: Option<(usize, usize)>,
}

/// The layer structure of a job's model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// MLP or CNN.
    pub architecture: Architecture,
    /// `[h, w, c]` for CNNs, `[features]` for MLPs (flattened).
    pub input_shape: Vec<usize>,
    /// Convolution output channels.
    pub conv: Vec<usize>,
    /// Fully connected widths, the output layer last.
    pub dense: Vec<usize>,
    /// Activation of hidden layers and convolution blocks.
    pub activation: Activation,
    /// Kernel, stride and pooling of the convolution blocks.
    pub geometry: Geometry,
}

impl Layout {
    /// The layout a spec describes.
    pub fn of(spec: &JobSpec) -> Self {
        let mut dense = spec.model.hidden.clone();
        dense.push(spec.dataset.definition.output_shape[0]);
        Layout {
            architecture: spec.model.architecture,
            input_shape: spec.dataset.definition.input_shape.clone(),
            conv: spec.model.conv.clone(),
            dense,
            activation: spec.model.activation,
            geometry: Geometry::of(&spec.model),
        }
    }

    /// Each convolution block's input `(h, w, c)`, then the final feature
    /// map's, for a CNN (empty for an MLP).
    fn feature_maps(&self) -> Vec<(usize, usize, usize)> {
        if self.architecture != Architecture::Cnn {
            return Vec::new();
        }
        let mut at = (
            self.input_shape[0],
            self.input_shape[1],
            self.input_shape[2],
        );
        let mut maps = vec![at];
        for &co in &self.conv {
            at = (self.geometry.out(at.0), self.geometry.out(at.1), co);
            maps.push(at);
        }
        maps
    }

    /// Every parameter, in name order.
    pub fn params(&self) -> Vec<ParamSpec> {
        let mut out = Vec::new();
        let mut width: usize = self.input_shape.iter().product();
        let maps = self.feature_maps();
        let k = self.geometry.kernel;
        for (i, (&co, &(_, _, c))) in self.conv.iter().zip(&maps).enumerate() {
            out.push(ParamSpec {
                name: format!("conv.{i:02}.weight"),
                shape: vec![co, c, k, k],
                fans: Some((c * k * k, co * k * k)),
            });
            out.push(ParamSpec {
                name: format!("conv.{i:02}.bias"),
                shape: vec![co],
                fans: None,
            });
        }
        if let Some(&(h, w, c)) = maps.last() {
            width = h * w * c;
        }
        for (i, &o) in self.dense.iter().enumerate() {
            out.push(ParamSpec {
                name: format!("dense.{i:02}.weight"),
                shape: vec![o, width],
                fans: Some((width, o)),
            });
            out.push(ParamSpec {
                name: format!("dense.{i:02}.bias"),
                shape: vec![o],
                fans: None,
            });
            width = o;
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// One convolution block per conv layer, for its input size.
    fn conv_blocks(&self) -> Vec<ConvBlock> {
        let maps = self.feature_maps();
        let inputs = maps.iter().take(self.conv.len());
        inputs
            .enumerate()
            .map(|(i, &(h, w, c))| {
                let block = ConvBlock::new(h, w, c, self.geometry);
                if i == 0 {
                    block.reading_data()
                } else {
                    block
                }
            })
            .collect()
    }

    /// Check that every CNN block keeps at least one pixel.
    pub fn check(&self) -> Result<()> {
        if let Some(i) = self
            .feature_maps()
            .iter()
            .position(|&(h, w, _)| h == 0 || w == 0)
        {
            return Err(BuildError::Spec(format!(
                "the image ({}×{}) has no pixels left after {i} of the {} conv blocks (each strides by {} and pools by {})",
                self.input_shape[0],
                self.input_shape[1],
                self.conv.len(),
                self.geometry.stride,
                if self.geometry.pool == crate::spec::Pool::None { 1 } else { 2 }
            )));
        }
        Ok(())
    }
}

/// A model: its layout and trainable parameters by name.
pub struct Model {
    /// The layer structure.
    pub layout: Layout,
    /// Parameters by name.
    pub params: BTreeMap<String, Var>,
    /// The CNN's convolution blocks, in order (empty for an MLP).
    blocks: Vec<ConvBlock>,
}

impl Model {
    /// Initialise from `seed`: walk the parameters in name order, drawing
    /// each value from the init stream.
    pub fn init(layout: Layout, seed: u64, device: &Device) -> Result<Self> {
        layout.check()?;
        let mut rng = SeededRng::new(seed, streams::INIT);
        let mut params = BTreeMap::new();
        for p in layout.params() {
            let n: usize = p.shape.iter().product();
            let values: Vec<f32> = match p.fans {
                Some((fan_in, fan_out)) => {
                    let bound = (6.0 / (fan_in + fan_out) as f32).sqrt();
                    (0..n).map(|_| rng.symmetric(bound)).collect()
                }
                None => vec![0.0; n],
            };
            let t = Tensor::from_vec(values, p.shape.as_slice(), device)?;
            params.insert(p.name, Var::from_tensor(&t)?);
        }
        let blocks = layout.conv_blocks();
        Ok(Model {
            layout,
            params,
            blocks,
        })
    }

    /// Replace every parameter with the one of the same name and shape in a
    /// safetensors file (fine-tuning). Missing, extra or mis-shaped tensors
    /// are errors.
    pub fn load_base(&mut self, path: &Path, device: &Device) -> Result<()> {
        let tensors = candle_core::safetensors::load(path, device)
            .map_err(|e| BuildError::Data(format!("base weights {}: {e}", path.display())))?;
        for name in tensors.keys() {
            if !self.params.contains_key(name) {
                return Err(BuildError::Data(format!(
                    "base weights {}: tensor {name} is not in this model",
                    path.display()
                )));
            }
        }
        for (name, var) in &self.params {
            let t = tensors.get(name).ok_or_else(|| {
                BuildError::Data(format!(
                    "base weights {}: tensor {name} is missing",
                    path.display()
                ))
            })?;
            if t.dims() != var.dims() {
                return Err(BuildError::Data(format!(
                    "base weights {}: tensor {name} has shape {:?}, the model needs {:?}",
                    path.display(),
                    t.dims(),
                    var.dims()
                )));
            }
            var.set(&t.to_dtype(DType::F32)?)?;
        }
        Ok(())
    }

    /// Refuse weights that are not all finite: training that diverged is a
    /// failed build, never a release.
    pub fn check_finite(&self) -> Result<()> {
        for (name, var) in &self.params {
            let values = var.as_tensor().flatten_all()?.to_vec1::<f32>()?;
            if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                return Err(BuildError::Train(format!(
                    "training diverged: tensor {name} holds {v}; nothing is signed (lower the learning rate or check the data)"
                )));
            }
        }
        Ok(())
    }

    /// The trainable variables.
    pub fn vars(&self) -> Vec<Var> {
        self.params.values().cloned().collect()
    }

    fn p(&self, name: &str) -> &Tensor {
        self.params[name].as_tensor()
    }

    /// Forward pass on a `(batch, features)` tensor; returns `(batch, outputs)`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.run(x, None)
    }

    /// Forward pass for a training step: dropout after each hidden layer.
    pub fn forward_train(&self, x: &Tensor, dropout: &mut Dropout) -> Result<Tensor> {
        self.run(x, Some(dropout))
    }

    fn run(&self, x: &Tensor, mut dropout: Option<&mut Dropout>) -> Result<Tensor> {
        let mut x = x.clone();
        if self.layout.architecture == Architecture::Cnn {
            let shape = self.layout.input_shape.as_slice();
            x = x.reshape((x.dim(0)?, shape[0], shape[1], shape[2]))?;
            for (i, block) in self.blocks.iter().enumerate() {
                let wt = self.p(&format!("conv.{i:02}.weight"));
                let b = self.p(&format!("conv.{i:02}.bias"));
                x = block.forward(&x, wt, b, self.layout.activation)?;
            }
            // Channels-last already, so the dense input order is HWC.
            x = x.flatten_from(1)?;
        }
        let last = self.layout.dense.len() - 1;
        for i in 0..=last {
            let wt = self.p(&format!("dense.{i:02}.weight"));
            let b = self.p(&format!("dense.{i:02}.bias"));
            // An MLP's first layer reads the data, which needs no gradient.
            let input_grad = i > 0 || self.layout.architecture == Architecture::Cnn;
            x = crate::dense::dense(&x, wt, b, input_grad)?;
            if i < last {
                x = crate::activation::apply(self.layout.activation, &x)?;
                if let Some(d) = dropout.as_deref_mut() {
                    x = d.apply(&x)?;
                }
            }
        }
        Ok(x)
    }

    /// Write the parameters as safetensors (tensors sorted by name).
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| BuildError::io(parent, e))?;
        }
        let map: std::collections::HashMap<String, Tensor> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
            .collect();
        candle_core::safetensors::save(&map, path).map_err(|e| BuildError::io(path, e))
    }

    /// Number of scalar parameters.
    pub fn parameter_count(&self) -> usize {
        self.params.values().map(|v| v.elem_count()).sum()
    }
}
