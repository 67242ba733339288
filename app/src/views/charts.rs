//! Charts as SVG, drawn on the server: no JavaScript, colours from the page's
//! stylesheet (so dark mode follows), a `<title>` for assistive technology, and a text
//! table beside each on the page. A missing value (a group too small to show) leaves a
//! gap, never a zero.

use std::fmt::Write;

/// One line of a line chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

fn esc(text: &str) -> String {
    tera::escape_html(text)
}

/// A round maximum for the axis: 1, 2 or 5 times a power of ten, at least `max`.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * power >= max {
            return step * power;
        }
    }
    10.0 * power
}

fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Where a chart's categories and values go: one slot per category across the plot,
/// values from 0 up to `top`.
struct Plot {
    /// How many categories (at least one).
    n: usize,
    /// The width of one category's slot.
    step: f64,
    top: f64,
}

const PLOT_HEIGHT: f64 = HEIGHT - TOP - BOTTOM;

impl Plot {
    /// The middle of category `i`.
    fn x(&self, i: usize) -> f64 {
        LEFT + self.step * (i as f64 + 0.5)
    }

    /// How tall value `v` stands.
    fn height(&self, v: f64) -> f64 {
        PLOT_HEIGHT * (v / self.top)
    }

    /// Where value `v` is.
    fn y(&self, v: f64) -> f64 {
        TOP + PLOT_HEIGHT - self.height(v)
    }
}

/// The frame: the svg element, its title, the value axis up to a round number above
/// `max` with three gridlines, and the category labels (every other one when there
/// are many); the plot to draw in.
fn frame(out: &mut String, id: &str, title: &str, labels: &[String], max: f64) -> Plot {
    let top = nice_max(max);
    let _ = write!(
        out,
        "<svg class=\"insight-chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title>",
        esc(title)
    );
    for i in 0..=2 {
        let value = top * f64::from(i) / 2.0;
        let y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * f64::from(i) / 2.0;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            number(value)
        );
    }
    let n = labels.len().max(1);
    let plot = Plot {
        n,
        step: (WIDTH - LEFT - RIGHT) / n as f64,
        top,
    };
    let every = n.div_ceil(8);
    for (i, label) in labels.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            plot.x(i),
            HEIGHT - BOTTOM + 18.0,
            esc(label)
        );
    }
    plot
}

/// A line chart of one or more series over the same categories, with a legend.
pub fn lines(id: &str, title: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let mut out = String::new();
    let plot = frame(&mut out, id, title, labels, max);
    for (k, s) in series.iter().enumerate() {
        let class = format!("series series-{}", k + 1);
        // Runs of present values are drawn as lines; a gap breaks the line.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, out: &mut String| {
            if run.len() > 1 {
                let points: Vec<String> =
                    run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                let _ = write!(
                    out,
                    "<polyline class=\"{class}\" fill=\"none\" points=\"{}\"/>",
                    points.join(" ")
                );
            }
            run.clear();
        };
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let (x, y) = (plot.x(i), plot.y(*v));
                    run.push((x, y));
                    let _ = write!(
                        out,
                        "<circle class=\"{class}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"/>"
                    );
                }
                None => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
        let lx = LEFT + 150.0 * k as f64;
        let _ = write!(
            out,
            "<rect class=\"{class} key\" x=\"{lx:.1}\" y=\"{:.1}\" width=\"12\" height=\"4\"/>\
             <text class=\"legend\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            HEIGHT - 10.0,
            lx + 16.0,
            HEIGHT - 5.0,
            esc(s.name)
        );
    }
    out.push_str("</svg>");
    out
}

/// A bar chart: one bar per category, its value written above it.
pub fn bars(id: &str, title: &str, labels: &[String], values: &[Option<f64>]) -> String {
    let max = values.iter().flatten().fold(0.0_f64, |m, v| m.max(*v));
    let mut out = String::new();
    let plot = frame(&mut out, id, title, labels, max);
    let step = plot.step;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v else { continue };
        let h = plot.height(*v);
        let x = plot.x(i) - step * 0.35;
        let y = plot.y(*v);
        let _ = write!(
            out,
            "<rect class=\"series series-1 bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\"/>",
            step * 0.7
        );
        if plot.n <= 16 {
            let _ = write!(
                out,
                "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + step * 0.35,
                (y - 4.0).max(TOP),
                number(*v)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A funnel: one horizontal bar per step, as long as its share of the first.
pub fn funnel(id: &str, title: &str, steps: &[(String, Option<f64>)]) -> String {
    let first = steps
        .iter()
        .find_map(|(_, v)| *v)
        .filter(|v| *v > 0.0)
        .unwrap_or(1.0);
    let row = 32.0;
    let height = TOP + row * steps.len() as f64 + 8.0;
    let label_w = 150.0;
    let bar_w = WIDTH - label_w - 90.0;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"insight-chart\" viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title>",
        esc(title)
    );
    for (i, (label, v)) in steps.iter().enumerate() {
        let y = TOP + row * i as f64;
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 16.0,
            esc(label)
        );
        match v {
            Some(v) => {
                let w = (bar_w * (v / first)).clamp(1.0, bar_w);
                let _ = write!(
                    out,
                    "<rect class=\"series series-1 bar\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"22\"/>\
                     <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    label_w + w + 6.0,
                    y + 16.0,
                    number(*v)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">fewer than 5</text>",
                    label_w + 6.0,
                    y + 16.0
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(12.0), 20.0);
        assert_eq!(nice_max(45.0), 50.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn a_gap_breaks_the_line_and_text_is_escaped() {
        let svg = lines(
            "c",
            "Active <members>",
            &["a".into(), "b".into(), "c".into(), "d".into()],
            &[Series {
                name: "Active",
                values: vec![Some(5.0), Some(6.0), None, Some(7.0)],
            }],
        );
        assert!(svg.contains("Active &lt;members&gt;"), "{svg}");
        assert_eq!(svg.matches("<polyline").count(), 1, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
    }

    #[test]
    fn a_funnel_says_fewer_than_5_for_a_small_group() {
        let svg = funnel(
            "f",
            "Funnel",
            &[("Registered".into(), Some(40.0)), ("Creators".into(), None)],
        );
        assert!(svg.contains("fewer than 5"), "{svg}");
        assert!(svg.contains(">40<"), "{svg}");
    }
}
