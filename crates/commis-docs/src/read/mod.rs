//! One module per format; `read_format` dispatches on the detected format.

pub(crate) mod bank;
pub(crate) mod csv;
mod eml;
mod facturx;
mod html;
mod image;
mod json;
mod odf;
mod ooxml;
mod pdf;
mod pdf_table;
mod rtf;
mod sheet;
mod text;
mod xmldoc;

use crate::error::DocError;
use crate::limits::Limits;
use crate::model::{Document, Format};

pub(crate) fn read_format(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Document, DocError> {
    match format {
        Format::Pdf => pdf::read(bytes, limits),
        Format::Docx => ooxml::read_docx(bytes, limits),
        Format::Pptx => ooxml::read_pptx(bytes, limits),
        Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Xls | Format::Ods => {
            sheet::read(format, bytes, limits)
        }
        Format::Odt | Format::Odp => odf::read(format, bytes, limits),
        Format::Csv | Format::Tsv => csv::read(format, bytes, limits),
        Format::Rtf => rtf::read(bytes, limits),
        Format::Txt | Format::Markdown => text::read(format, bytes),
        Format::Html => html::read(bytes, limits),
        Format::Eml => eml::read(bytes, limits),
        Format::Json => json::read(bytes, limits),
        Format::Xml => xmldoc::read(bytes, limits),
        Format::Ofx => bank::ofx::read(bytes),
        Format::Mt940 => bank::mt940::read(bytes),
        Format::Png | Format::Jpeg | Format::Gif | Format::Webp | Format::Tiff => {
            image::read(format, bytes)
        }
    }
}
