use super::*;

fn node(s: &str) -> Node {
    parse(s.as_bytes()).unwrap()
}

#[test]
fn decimals_compare_by_exact_value() {
    let d = |s: &str| Decimal::parse(s.as_bytes()).unwrap();
    assert_eq!(d("595.30"), d("595.3"));
    assert_eq!(d("+595.300"), d("595.3"));
    assert_eq!(d("1"), d("1.0"));
    assert_eq!(d("-0"), d("0.000"));
    assert_eq!(d(".5"), d("0.5"));
    assert_eq!(d("4."), d("4"));
    assert_eq!(d("007"), d("7"));
    assert_ne!(d("595.303937007874"), d("595.304"));
    assert_ne!(d("595.303937007874"), d("595.3039370078741"));
    assert_ne!(d("-1"), d("1"));
    assert_eq!(d("-12").as_i64(), Some(-12));
    assert_eq!(d("3.5").as_i64(), None);
    assert!(Decimal::parse(b"1.2.3").is_none());
    for (lexeme, shown) in [
        ("-.05", "-0.05"),
        ("+595.3039370078740", "595.303937007874"),
        ("007", "7"),
        ("-0.0", "0"),
        ("12.5", "12.5"),
    ] {
        assert_eq!(d(lexeme).to_string(), shown);
    }
    assert!(Decimal::parse(b"-").is_none());
    assert!(Decimal::parse(b".").is_none());
}

#[test]
fn parses_every_kind_of_value_with_spans() {
    let src = "<</Type/Page /MediaBox [0 0 595.303937007874 841.889763779528]% c\n\
               /Parent 3 0 R /T (a\\(b\\)\\101\\\n c) /H <41 42 4> /N#20x null /B true /K [1 2 R]>>";
    let n = node(src);
    assert_eq!(n.span, 0..src.len());
    let mb = n.get(b"MediaBox").unwrap();
    assert_eq!(
        &src[mb.span.clone()],
        "[0 0 595.303937007874 841.889763779528]"
    );
    assert_eq!(n.get(b"Parent").unwrap().as_ref(), Some((3, 0)));
    assert_eq!(
        n.get(b"T").unwrap().value,
        Value::String(b"a(b)A c".to_vec())
    );
    assert_eq!(n.get(b"H").unwrap().value, Value::String(b"AB@".to_vec()));
    assert_eq!(n.get(b"N x").unwrap().value, Value::Null);
    assert_eq!(n.get(b"B").unwrap().value, Value::Bool(true));
    // `1 2 R]` is a reference; `[1 2]` stays two numbers.
    assert_eq!(
        n.get(b"K").unwrap().value,
        Value::Array(vec![node("1 2 R")])
    );
    assert!(matches!(node("[1 2]").value, Value::Array(ref a) if a.len() == 2));
}

#[test]
fn spelling_is_not_value_but_precision_is() {
    assert_eq!(
        node("<</A [595.30 1] /B (x)>>"),
        node("<< /B <78> /A [595.3 1.0] >>")
    );
    assert_ne!(node("<</A 595.303937007874>>"), node("<</A 595.304>>"));
    assert_ne!(node("<</A 1>>"), node("<</A 1 /B 2>>"));
    assert_ne!(node("<</A 1 0 R>>"), node("<</A 1 1 R>>"));
}

#[test]
fn malformed_values_are_errors() {
    for bad in ["<</A 1", "[1 2", "(abc", "<4G>", "<<1 2>>", ")", ""] {
        assert!(parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
    let deep = "[".repeat(100) + &"]".repeat(100);
    assert!(parse(deep.as_bytes()).is_err());
}

#[test]
fn splices_keep_every_other_byte_and_number() {
    let src = b"<</Type /Page/MediaBox[0 0 595.303937007874 841.889763779528] /Annots [4 0 R]\n/Rotate 90.000>>";
    let obj = RawObject {
        buf: Buf::File(src),
        node: parse(src).unwrap(),
    };
    let annots = obj.node.get(b"Annots").unwrap();
    let out = obj
        .spliced(vec![
            annots.push(&ref_items(&[(9, 0), (10, 0)])).unwrap(),
            obj.node.set(b"StructParents", b"3").unwrap(),
        ])
        .unwrap();
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        "<</Type /Page/MediaBox[0 0 595.303937007874 841.889763779528] /Annots [4 0 R 9 0 R 10 0 R]\n/Rotate 90.000 /StructParents 3>>"
    );
    // Replacing an entry's value touches that value only.
    let out2 = obj
        .spliced(vec![obj.node.set(b"Rotate", b"0").unwrap()])
        .unwrap();
    assert!(out2.ends_with(b"\n/Rotate  0>>"));
    // A value written right after its key is not glued to the new one.
    let tight = b"<</AcroForm[]/SigFlags/X>>";
    let tight_obj = RawObject {
        buf: Buf::File(tight),
        node: parse(tight).unwrap(),
    };
    let out3 = tight_obj
        .spliced(vec![
            tight_obj.node.set(b"AcroForm", b"12 0 R").unwrap(),
            tight_obj.node.set(b"SigFlags", b"3").unwrap(),
        ])
        .unwrap();
    assert_eq!(out3, b"<</AcroForm 12 0 R/SigFlags 3>>");
    // Every entry but the edited ones has the same bytes as before.
    let after = parse(&out).unwrap();
    for (k, v) in match &obj.node.value {
        Value::Dict(items) => items.clone(),
        _ => unreachable!(),
    } {
        if k != b"Annots" {
            let w = after.get(&k).unwrap();
            assert_eq!(&src[v.span.clone()], &out[w.span.clone()]);
        }
    }
    // Overlapping edits are refused.
    let a = obj.node.set(b"Rotate", b"0").unwrap();
    assert!(obj.spliced(vec![a.clone(), a]).is_err());
}
