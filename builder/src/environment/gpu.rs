//! GPU adapters, enumerated with wgpu on every platform (Vulkan, Metal,
//! DX12, GL). Without the `wgpu` feature nothing is enumerated, and the
//! report says so (`gpu_inventory: false`).

use serde::{Deserialize, Serialize};

/// One adapter as wgpu reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuAdapter {
    /// Adapter name.
    pub name: String,
    /// PCI vendor ID.
    pub vendor: u32,
    /// PCI device ID.
    pub device: u32,
    /// `DiscreteGpu`, `IntegratedGpu`, `VirtualGpu`, `Cpu` (a software rasteriser) or `Other`.
    pub device_type: String,
    /// `Vulkan`, `Metal`, `Dx12` or `Gl`.
    pub backend: String,
    /// Driver name.
    pub driver: String,
    /// Driver version details.
    pub driver_info: String,
}

/// `(enumeration ran, adapters)`.
#[cfg(feature = "wgpu")]
pub fn adapters() -> (bool, Vec<GpuAdapter>) {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let found = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    let mut out: Vec<GpuAdapter> = found
        .iter()
        .map(|a| {
            let i = a.get_info();
            GpuAdapter {
                name: i.name,
                vendor: i.vendor,
                device: i.device,
                device_type: format!("{:?}", i.device_type),
                backend: format!("{:?}", i.backend),
                driver: i.driver,
                driver_info: i.driver_info,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.backend, &a.name).cmp(&(&b.backend, &b.name)));
    (true, out)
}

/// `(enumeration ran, adapters)`.
#[cfg(not(feature = "wgpu"))]
pub fn adapters() -> (bool, Vec<GpuAdapter>) {
    (false, Vec::new())
}
