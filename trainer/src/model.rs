//! Built-in architectures (MLP and CNN) as explicit parameter lists, so that
//! initialisation can walk them in sorted-name order from our seeded
//! generator (Glorot-uniform weights, zero biases — Keras' defaults).

use crate::activation::Activation;
use crate::batch_norm::BatchNorm;
use crate::conv::{ConvBlock, Geometry};
use crate::dropout::Dropout;
use crate::error::{Result, TrainError};
use crate::rng::{streams, SeededRng};
use candle_core::{DType, Device, Tensor, Var};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Built-in architectures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// Fully connected layers.
    Mlp,
    /// Convolution + max-pool blocks, then fully connected layers.
    Cnn,
    /// A pretrained BERT-family encoder (`model.pretrained`, a Hugging Face
    /// directory) with a classification or regression head.
    Bert,
}

/// How a tensor starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// Glorot-uniform with these fan-in and fan-out.
    Glorot(usize, usize),
    /// All zeros (biases, running means).
    Zeros,
    /// All ones (batch-norm scales, running variances).
    Ones,
}

/// One tensor's name, shape and initialisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamSpec {
    /// Name in the safetensors file, e.g. `conv.00.weight`.
    pub name: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Initial values.
    pub init: Init,
    /// Trained by the optimizer (false: a batch-norm running statistic).
    pub trainable: bool,
}

impl ParamSpec {
    fn new(name: String, shape: Vec<usize>, init: Init) -> Self {
        ParamSpec {
            name,
            shape,
            init,
            trainable: true,
        }
    }

    /// The four tensors of a batch normalisation over `c` channels.
    fn batch_norm(prefix: &str, c: usize) -> [ParamSpec; 4] {
        let stat = |name: &str, init| ParamSpec {
            trainable: false,
            ..ParamSpec::new(format!("{prefix}.{name}"), vec![c], init)
        };
        [
            ParamSpec::new(format!("{prefix}.weight"), vec![c], Init::Ones),
            ParamSpec::new(format!("{prefix}.bias"), vec![c], Init::Zeros),
            stat("running_mean", Init::Zeros),
            stat("running_var", Init::Ones),
        ]
    }
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
    /// Batch normalisation after each convolution and hidden dense layer.
    pub batch_norm: bool,
}

impl Layout {
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
            let fans = Init::Glorot(c * k * k, co * k * k);
            out.push(ParamSpec::new(
                format!("conv.{i:02}.weight"),
                vec![co, c, k, k],
                fans,
            ));
            out.push(ParamSpec::new(
                format!("conv.{i:02}.bias"),
                vec![co],
                Init::Zeros,
            ));
            if self.batch_norm {
                out.extend(ParamSpec::batch_norm(&format!("conv.{i:02}.norm"), co));
            }
        }
        if let Some(&(h, w, c)) = maps.last() {
            width = h * w * c;
        }
        for (i, &o) in self.dense.iter().enumerate() {
            let fans = Init::Glorot(width, o);
            out.push(ParamSpec::new(
                format!("dense.{i:02}.weight"),
                vec![o, width],
                fans,
            ));
            out.push(ParamSpec::new(
                format!("dense.{i:02}.bias"),
                vec![o],
                Init::Zeros,
            ));
            if self.batch_norm && i + 1 < self.dense.len() {
                out.extend(ParamSpec::batch_norm(&format!("dense.{i:02}.norm"), o));
            }
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
            return Err(TrainError::Config(format!(
                "the image ({}×{}) has no pixels left after {i} of the {} conv blocks (each strides by {} and pools by {})",
                self.input_shape[0],
                self.input_shape[1],
                self.conv.len(),
                self.geometry.stride,
                if self.geometry.pool == crate::conv::Pool::None { 1 } else { 2 }
            )));
        }
        Ok(())
    }
}

/// A model: its layout and tensors by name.
pub struct Model {
    /// The layer structure.
    pub layout: Layout,
    /// Every tensor by name: trained parameters and batch-norm statistics.
    pub params: BTreeMap<String, Var>,
    /// The names of the trained ones.
    trainable: Vec<String>,
    /// The CNN's convolution blocks, in order (empty for an MLP).
    blocks: Vec<ConvBlock>,
}

impl Model {
    /// Initialise from `seed`: walk the parameters in name order, drawing
    /// each value from the init stream.
    pub fn init(layout: Layout, seed: u64, device: &Device) -> Result<Self> {
        layout.check()?;
        let mut rng = SeededRng::new(seed, streams::INIT);
        let (mut params, mut trainable) = (BTreeMap::new(), Vec::new());
        for p in layout.params() {
            let n: usize = p.shape.iter().product();
            let values: Vec<f32> = match p.init {
                Init::Glorot(fan_in, fan_out) => {
                    let bound = (6.0 / (fan_in + fan_out) as f32).sqrt();
                    (0..n).map(|_| rng.symmetric(bound)).collect()
                }
                Init::Zeros => vec![0.0; n],
                Init::Ones => vec![1.0; n],
            };
            let t = Tensor::from_vec(values, p.shape.as_slice(), device)?;
            if p.trainable {
                trainable.push(p.name.clone());
            }
            params.insert(p.name, Var::from_tensor(&t)?);
        }
        let blocks = layout.conv_blocks();
        Ok(Model {
            layout,
            params,
            trainable,
            blocks,
        })
    }

    /// Replace every parameter with the one of the same name and shape in a
    /// safetensors file (fine-tuning). Missing, extra or mis-shaped tensors
    /// are errors.
    pub fn load_base(&mut self, path: &Path, device: &Device) -> Result<()> {
        let tensors = candle_core::safetensors::load(path, device)
            .map_err(|e| TrainError::Data(format!("base weights {}: {e}", path.display())))?;
        for name in tensors.keys() {
            if !self.params.contains_key(name) {
                return Err(TrainError::Data(format!(
                    "base weights {}: tensor {name} is not in this model",
                    path.display()
                )));
            }
        }
        for (name, var) in &self.params {
            let t = tensors.get(name).ok_or_else(|| {
                TrainError::Data(format!(
                    "base weights {}: tensor {name} is missing",
                    path.display()
                ))
            })?;
            if t.dims() != var.dims() {
                return Err(TrainError::Data(format!(
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
                return Err(TrainError::Train(format!(
                    "training diverged: tensor {name} holds {v}; nothing is signed (lower the learning rate or check the data)"
                )));
            }
        }
        Ok(())
    }

    /// The trained variables (not the batch-norm statistics).
    pub fn vars(&self) -> Vec<Var> {
        self.trainable
            .iter()
            .map(|n| self.params[n].clone())
            .collect()
    }

    /// Every tensor, trained or not (for keeping and restoring a state).
    pub fn all_vars(&self) -> Vec<Var> {
        self.params.values().cloned().collect()
    }

    /// The batch normalisation named `prefix`, when the model has one.
    fn norm(&self, prefix: &str, training: bool) -> Option<BatchNorm<'_>> {
        let get = |name: &str| self.params.get(&format!("{prefix}.{name}"));
        Some(BatchNorm {
            scale: get("weight")?.as_tensor(),
            shift: get("bias")?.as_tensor(),
            running_mean: get("running_mean")?,
            running_var: get("running_var")?,
            training,
        })
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

    /// `dropout` is given for training steps: batch norm then uses (and
    /// updates its statistics from) the batch; without it, the statistics.
    fn run(&self, x: &Tensor, mut dropout: Option<&mut Dropout>) -> Result<Tensor> {
        let training = dropout.is_some();
        let mut x = x.clone();
        if self.layout.architecture == Architecture::Cnn {
            let shape = self.layout.input_shape.as_slice();
            x = x.reshape((x.dim(0)?, shape[0], shape[1], shape[2]))?;
            for (i, block) in self.blocks.iter().enumerate() {
                let wt = self.p(&format!("conv.{i:02}.weight"));
                let b = self.p(&format!("conv.{i:02}.bias"));
                let norm = self.norm(&format!("conv.{i:02}.norm"), training);
                x = block.forward(&x, wt, b, norm.as_ref(), self.layout.activation)?;
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
            if let Some(norm) = self.norm(&format!("dense.{i:02}.norm"), training) {
                x = norm.apply(&x)?;
            }
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
            std::fs::create_dir_all(parent).map_err(|e| TrainError::io(parent, e))?;
        }
        let map: std::collections::HashMap<String, Tensor> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
            .collect();
        crate::weights_file::save(&map, path)
    }

    /// Number of scalar parameters.
    pub fn parameter_count(&self) -> usize {
        self.params.values().map(|v| v.elem_count()).sum()
    }
}
