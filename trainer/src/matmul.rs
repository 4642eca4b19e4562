//! Matrix products on plain slices, through the `gemm` crate that candle's
//! CPU matmul also uses: strided views (so a transpose is a view, not a
//! copy) with every index bounds-checked before the unsafe call, and the
//! destination written in place (so a buffer can be reused across steps).

/// An `rows × cols` matrix inside a slice: element `(i, j)` is at
/// `i·row_stride + j·col_stride`.
#[derive(Clone, Copy)]
pub struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> View<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize) -> Self {
        View {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose, as a view.
    pub fn t(self) -> Self {
        View {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    fn fits(&self, len: usize) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride < len
    }
}

/// `dst = lhs · rhs` (or `dst += lhs · rhs` with `accumulate`), where
/// `dst` is a row-major `lhs.rows × rhs.cols` matrix, or its transpose when
/// `transposed` (written as `rhs.cols × lhs.rows` row-major). The work is
/// split over output blocks (never over the inner dimension), so the
/// result does not depend on the thread count.
///
/// # Panics
/// When the shapes do not fit or a view reaches past its slice.
pub fn product(dst: &mut [f32], transposed: bool, accumulate: bool, lhs: View, rhs: View) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(rhs.rows, k, "product: inner dimensions differ");
    assert!(dst.len() >= m * n, "product: destination too short");
    assert!(
        lhs.fits(lhs.data.len()) && rhs.fits(rhs.data.len()),
        "product: a view reaches past its slice"
    );
    let (dst_rs, dst_cs) = if transposed { (1, m) } else { (n, 1) };
    let threads = rayon::current_num_threads();
    let parallelism = if threads > 1 {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: every index the product touches is within its slice: checked
    // above for both operands and, for dst, by m·n ≤ len with the strides
    // of a dense m×n matrix or its transpose.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            dst_cs as isize,
            dst_rs as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_and_transposes_match_the_definition() {
        // a: 2×3, b: 3×2.
        let a = [1f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [7f32, 8.0, 9.0, 10.0, 11.0, 12.0];
        let mut d = [0f32; 4];
        product(
            &mut d,
            false,
            false,
            View::rows(&a, 2, 3),
            View::rows(&b, 3, 2),
        );
        assert_eq!(d, [58.0, 64.0, 139.0, 154.0]);
        product(
            &mut d,
            true,
            false,
            View::rows(&a, 2, 3),
            View::rows(&b, 3, 2),
        );
        assert_eq!(d, [58.0, 139.0, 64.0, 154.0]);
        let mut acc = [1f32; 4];
        product(
            &mut acc,
            false,
            true,
            View::rows(&a, 2, 3),
            View::rows(&b, 3, 2),
        );
        assert_eq!(acc, [59.0, 65.0, 140.0, 155.0]);
        // aᵀ·a: 3×3 from views only.
        let mut g = [0f32; 9];
        product(
            &mut g,
            false,
            false,
            View::rows(&a, 2, 3).t(),
            View::rows(&a, 2, 3),
        );
        assert_eq!(g, [17.0, 22.0, 27.0, 22.0, 29.0, 36.0, 27.0, 36.0, 45.0]);
    }

    #[test]
    #[should_panic(expected = "past its slice")]
    fn a_view_past_its_slice_is_refused() {
        let a = [1f32; 5];
        let mut d = [0f32; 4];
        product(
            &mut d,
            false,
            false,
            View::rows(&a, 2, 3),
            View::rows(&a, 3, 2),
        );
    }
}
