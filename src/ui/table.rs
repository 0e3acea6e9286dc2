//! Aligned columns for the listing commands (`den ls`, `den outdated`, `den ps`, `den cache
//! ls`): every column but the last padded to its widest cell, two spaces apart, no
//! trailing spaces. Only formats text (the command prints it); never decides what a cell
//! says.

/// The rows as lines of aligned columns, each line ending in a newline.
pub fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 < row.len() {
                line.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A row from string-like cells.
pub fn row<S: AsRef<str>>(cells: &[S]) -> Vec<String> {
    cells.iter().map(|c| c.as_ref().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_to_the_widest_cell_and_lines_have_no_trailing_space() {
        let rows =
            vec![row(&["TOOL", "LOCKED", "PATH"]), row(&["ripgrep", "14.1.1", "-"]), row(&["jq", "", ""])];
        assert_eq!(render(&rows), "TOOL     LOCKED  PATH\nripgrep  14.1.1  -\njq\n");
        assert_eq!(render(&[]), "");
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        let rows = vec![row(&["é", "x"]), row(&["ab", "y"])];
        assert_eq!(render(&rows), "é   x\nab  y\n");
    }
}
