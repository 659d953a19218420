//! How the web view paints, chosen before it starts. On Linux, WebKitGTK paints with Skia on the
//! GPU through OpenGL. On a machine with no GPU (a virtual machine, a remote desktop, a container
//! under Xvfb) that OpenGL is Mesa's software rasteriser, and painting the grid through it takes
//! about four times as long as Skia painting on the CPU itself (measured with 100,000 assets: a
//! full repaint of the grid went from about 90 ms to about 30 ms). So when no GPU is there, the
//! web view is told to paint on the CPU. A choice already made in the environment is kept. (The
//! end-to-end suite checks the web process's environment against the machine's `/dev/dri`.)

use std::path::Path;

/// WebKitGTK's switch for painting with Skia on the CPU instead of through OpenGL.
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Where Linux lists the render nodes of the machine's GPUs (`renderD128`, ...).
const RENDER_NODES: &str = "/dev/dri";

/// What to do about the way the web view paints.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Painting {
    /// The environment already says how (or this is not WebKitGTK): left alone.
    AsConfigured,
    /// A GPU is there: WebKit's default (Skia on the GPU).
    Gpu,
    /// No GPU: Skia on the CPU beats OpenGL in software.
    Cpu,
}

/// The choice for a machine where `configured` tells whether the variable is already set and
/// `render_nodes` lists the names found under `/dev/dri`.
pub(crate) fn choose(configured: bool, render_nodes: &[String]) -> Painting {
    if configured {
        Painting::AsConfigured
    } else if render_nodes.iter().any(|name| name.starts_with("renderD")) {
        Painting::Gpu
    } else {
        Painting::Cpu
    }
}

/// Chooses for this machine and applies the choice. Must run first thing in `main`: the web
/// view's processes read it from the environment they inherit, and setting the environment is
/// only sound while no other thread runs.
pub(crate) fn choose_for_this_machine() -> Painting {
    if !cfg!(target_os = "linux") {
        return Painting::AsConfigured;
    }
    let configured = std::env::var_os(CPU_RENDERING).is_some();
    let painting = choose(configured, &entries(Path::new(RENDER_NODES)));
    if painting == Painting::Cpu {
        std::env::set_var(CPU_RENDERING, "1");
    }
    painting
}

/// The names in `dir`; none when it cannot be read (no GPU exposes no `/dev/dri` at all).
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
