//! The new widget on its page's /Annots and the new field in the form, spliced into the
//! objects' own bytes.

use super::*;

/// Adds the new annotations to their pages' /Annots: the page, or its /Annots array when that
/// is an indirect object, is written again from its own bytes with only the new references
/// added (see [`crate::raw`]: every other entry keeps its exact bytes).
pub(super) fn add_annotations(
    update: &mut Update,
    src: &SourcePdf<'_>,
    annots: &[NewAnnot],
) -> Result<(), PdfError> {
    let mut by_page: BTreeMap<u32, Vec<(u32, u16)>> = BTreeMap::new();
    for a in annots {
        by_page.entry(a.page).or_default().push(a.id);
    }
    // Indirect /Annots arrays (pages may share one), each written once with all its new items.
    let mut arrays: BTreeMap<(u32, u16), Vec<(u32, u16)>> = BTreeMap::new();
    for (page_no, ids) in by_page {
        let info = src.page(page_no)?;
        let items = raw::ref_items(&ids);
        let page = src.raw(info.id)?;
        if !page.node.is_dict() {
            return Err(PdfError::Unreadable(format!(
                "page {page_no} is not a dictionary"
            )));
        }
        let splice = match page.node.get(b"Annots").map(|n| (n, n.as_ref())) {
            Some((_, Some(arr_id))) => {
                arrays.entry(arr_id).or_default().extend(ids);
                continue;
            }
            Some((n, None)) if n.is_array() => n.push(&items),
            // Missing (or not an array, which readers ignore): a new array.
            _ => {
                let mut arr = b"[".to_vec();
                arr.extend_from_slice(&items[1..]);
                arr.push(b']');
                page.node.set(b"Annots", &arr)
            }
        }
        .map_err(unreadable)?;
        update.set_raw(info.id, page.spliced(vec![splice]).map_err(unreadable)?);
    }
    for (arr_id, ids) in arrays {
        let arr = src.raw(arr_id)?;
        let splice = arr
            .node
            .push(&raw::ref_items(&ids))
            .map_err(|_| PdfError::Unreadable("/Annots is not an array".into()))?;
        update.set_raw(arr_id, arr.spliced(vec![splice]).map_err(unreadable)?);
    }
    Ok(())
}

fn unreadable(e: raw::RawError) -> PdfError {
    PdfError::Unreadable(e.to_string())
}

/// Registers the field in the document's AcroForm with SigFlags 3: the form (or the catalog,
/// when the form is direct in it; or the /Fields array, when that is an indirect object) is
/// written again from its own bytes with only those entries changed. A document without a
/// form gets a new one.
pub(super) fn add_field_to_form(
    update: &mut Update,
    src: &SourcePdf<'_>,
    field_id: (u32, u16),
) -> Result<(), PdfError> {
    let catalog = src.raw(src.root_id)?;
    if !catalog.node.is_dict() {
        return Err(PdfError::Unreadable(
            "the catalog is not a dictionary".into(),
        ));
    }
    match catalog.node.get(b"AcroForm").map(|f| (f, f.as_ref())) {
        Some((_, Some(form_id))) => {
            let form = src.raw(form_id)?;
            if !form.node.is_dict() {
                return Err(PdfError::Unreadable("/AcroForm is not a dictionary".into()));
            }
            let splices = form_splices(update, src, &form.node, field_id)?;
            if !splices.is_empty() {
                update.set_raw(form_id, form.spliced(splices).map_err(unreadable)?);
            }
        }
        Some((f, None)) if f.is_dict() => {
            let splices = form_splices(update, src, f, field_id)?;
            if !splices.is_empty() {
                update.set_raw(src.root_id, catalog.spliced(splices).map_err(unreadable)?);
            }
        }
        _ => {
            let form_id = update.alloc();
            let form = dictionary! {
                "Fields" => vec![Object::Reference(field_id)],
                "SigFlags" => 3,
            };
            update.set(form_id, &Object::Dictionary(form));
            let splice = catalog
                .node
                .set(
                    b"AcroForm",
                    format!("{} {} R", form_id.0, form_id.1).as_bytes(),
                )
                .map_err(unreadable)?;
            update.set_raw(
                src.root_id,
                catalog.spliced(vec![splice]).map_err(unreadable)?,
            );
        }
    }
    Ok(())
}

/// The edits that add `field_id` to a form dictionary (`form` indexes the buffer the returned
/// splices apply to) and set its SigFlags to include 3. An indirect /Fields array stays
/// indirect: that array object is written again instead.
fn form_splices(
    update: &mut Update,
    src: &SourcePdf<'_>,
    form: &raw::Node,
    field_id: (u32, u16),
) -> Result<Vec<raw::Splice>, PdfError> {
    let items = raw::ref_items(&[field_id]);
    let mut splices = Vec::new();
    match form.get(b"Fields").map(|f| (f, f.as_ref())) {
        Some((_, Some(arr_id))) => {
            let arr = src.raw(arr_id)?;
            let splice = arr
                .node
                .push(&items)
                .map_err(|_| PdfError::Unreadable("/Fields is not an array".into()))?;
            update.set_raw(arr_id, arr.spliced(vec![splice]).map_err(unreadable)?);
        }
        Some((f, None)) if f.is_array() => splices.push(f.push(&items).map_err(unreadable)?),
        _ => {
            let mut arr = b"[".to_vec();
            arr.extend_from_slice(&items[1..]);
            arr.push(b']');
            splices.push(form.set(b"Fields", &arr).map_err(unreadable)?);
        }
    }
    let flags = form.get(b"SigFlags").and_then(|f| match &f.value {
        raw::Value::Number(d) => d.as_i64(),
        _ => None,
    });
    match flags {
        Some(v) if v & 3 == 3 => {}
        Some(v) => splices.push(
            form.set(b"SigFlags", format!("{}", v | 3).as_bytes())
                .map_err(unreadable)?,
        ),
        None => splices.push(form.set(b"SigFlags", b"3").map_err(unreadable)?),
    }
    Ok(splices)
}
