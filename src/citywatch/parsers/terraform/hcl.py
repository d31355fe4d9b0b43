"""HCL native syntax → located bodies, blocks, attributes and expression trees (tree-sitter).

tree-sitter parses in C with error recovery and gives every node its position; this module walks
the concrete tree once and keeps only what evaluation needs. Syntax errors become located
diagnostics; blocks that contain an error are dropped, the rest of the file is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tree_sitter_hcl
from tree_sitter import Language, Node, Parser

from citywatch.parsers.terraform.expressions import (
    BinOp,
    Call,
    Cond,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Lit,
    ObjectExpr,
    Postfix,
    Splat,
    Step,
    Template,
    TemplateFor,
    TemplateIf,
    Traversal,
    TupleExpr,
    Unary,
)
from citywatch.parsers.terraform.values import EvalError, parse_number

MAX_EXPR_DEPTH = 100
MAX_BLOCK_DEPTH = 64
MAX_ERRORS_PER_FILE = 5

_PARSER: Parser | None = None


def _parser() -> Parser:
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser(Language(tree_sitter_hcl.language()))
    return _PARSER


class HclSyntaxError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: Body
    line: int
    end_line: int


@dataclass(slots=True)
class HclFile:
    body: Body
    errors: list[tuple[int, str]] = field(default_factory=list)


_BINARY_OPS = frozenset(["||", "&&", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%"])
_POSTFIX = frozenset(["get_attr", "index", "splat"])
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def parse_hcl(data: bytes) -> HclFile:
    """Parse one HCL file. Never raises for bad syntax: errors are returned with lines."""
    tree = _parser().parse(data)
    conv = _Converter(data)
    root = tree.root_node
    errors: list[tuple[int, str]] = []
    if root.has_error:
        errors.extend(_syntax_errors(root))
    body = Body()
    for child in root.named_children:
        if child.type == "body":
            body = conv.body(child, errors)
    errors.extend(conv.errors)
    return HclFile(body, errors[:MAX_ERRORS_PER_FILE])


def parse_template(text: str) -> Expr:
    """A standalone template (templatefile, .tf.json strings) as an expression."""
    marker = "CW_TEMPLATE_END"
    while marker in text:
        marker += "_"
    src = f"x = <<{marker}\n{text}\n{marker}\n".encode()
    parsed = parse_hcl(src)
    if parsed.errors:
        line, reason = parsed.errors[0]
        raise HclSyntaxError(max(1, line - 1), reason)
    attr = parsed.body.attributes.get("x")
    if attr is None:
        raise HclSyntaxError(1, "template could not be parsed")
    expr = attr.expr
    # drop the newline the heredoc wrapper added
    if isinstance(expr, Template) and expr.parts and isinstance(expr.parts[-1], str):
        last = expr.parts[-1][:-1] if expr.parts[-1].endswith("\n") else expr.parts[-1]
        # a template that is exactly "${expr}" yields expr's value itself, as in HCL
        parts = expr.parts[:-1] + ([last] if last else [])
        return Template(expr.line, parts or [""])
    return expr


def parse_expression(text: str) -> Expr:
    """One expression given as text (a `--var` value of a complex type)."""
    parsed = parse_hcl(f"x = {text}\n".encode())
    if parsed.errors or "x" not in parsed.body.attributes:
        raise HclSyntaxError(1, "not a valid HCL expression")
    return parsed.body.attributes["x"].expr


def _syntax_errors(root: Node) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    stack = [root]
    while stack and len(out) < MAX_ERRORS_PER_FILE:
        node = stack.pop()
        if node.is_missing:
            out.append((node.start_point[0] + 1, f"invalid HCL: missing {node.type!r}"))
            continue
        if node.type == "ERROR":
            # a short excerpt only: the line may hold a credential
            text = (node.text or b"")[:16].decode("utf-8", "replace").split("\n")[0]
            out.append((node.start_point[0] + 1, f"invalid HCL: unexpected {text!r}"))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    out.sort()
    return out


def _line(node: Node) -> int:
    return node.start_point[0] + 1


def _unescape(raw: str, line: int) -> str:
    if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n:
            nxt = raw[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = raw[i + 2 : i + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    raise HclSyntaxError(line, f"invalid escape \\{nxt}{digits}") from None
                i += 2 + width
                continue
            out.append(ch)
            i += 1
            continue
        if raw.startswith("$${", i) or raw.startswith("%%{", i):
            out.append(raw[i] + "{")
            i += 3
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _heredoc_unescape(raw: str) -> str:
    return raw.replace("$${", "${").replace("%%{", "%{")


class _Converter:
    """Walks one concrete syntax tree into located structures."""

    def __init__(self, src: bytes) -> None:
        self.src = src
        self.depth = 0
        self.dedent = 0  # `<<-` heredoc indentation to remove at each line start
        self.block_depth = 0
        self.errors: list[tuple[int, str]] = []

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # ---- structure -------------------------------------------------------------------------

    def body(self, node: Node, errors: list[tuple[int, str]]) -> Body:
        body = Body()
        for child in node.named_children:
            if child.has_error or child.type == "ERROR":
                continue
            try:
                if child.type == "attribute":
                    attr = self.attribute(child)
                    body.attributes[attr.name] = attr
                elif child.type == "block":
                    body.blocks.append(self.block(child, errors))
            except HclSyntaxError as exc:
                errors.append((exc.line, exc.reason))
            except RecursionError:
                errors.append((_line(child), "expression nested too deeply"))
            except (IndexError, ValueError, StopIteration, AttributeError) as exc:
                # a tree shape this converter does not know: lose this block, not the file
                errors.append((_line(child), f"unsupported HCL syntax ({type(exc).__name__})"))
        return body

    def attribute(self, node: Node) -> Attribute:
        name = ""
        expr: Expr = Lit(_line(node), None)
        for child in node.named_children:
            if child.type == "identifier":
                name = self.text(child)
            elif child.type == "expression":
                self.depth = 0
                expr = self.expr(child)
        return Attribute(name, expr, _line(node), node.end_point[0] + 1)

    def block(self, node: Node, errors: list[tuple[int, str]]) -> Block:
        if self.block_depth >= MAX_BLOCK_DEPTH:
            raise HclSyntaxError(_line(node), f"blocks nested deeper than {MAX_BLOCK_DEPTH}")
        self.block_depth += 1
        try:
            return self._block(node, errors)
        finally:
            self.block_depth -= 1

    def _block(self, node: Node, errors: list[tuple[int, str]]) -> Block:
        btype = ""
        labels: list[str] = []
        body = Body()
        for child in node.named_children:
            t = child.type
            if t == "identifier":
                if not btype:
                    btype = self.text(child)
                else:
                    labels.append(self.text(child))
            elif t == "string_lit":
                labels.append(self.string_lit(child))
            elif t == "body":
                body = self.body(child, errors)
        return Block(btype, labels, body, _line(node), node.end_point[0] + 1)

    # ---- expressions -----------------------------------------------------------------------

    def expr(self, node: Node) -> Expr:
        self.depth += 1
        if self.depth > MAX_EXPR_DEPTH:
            raise HclSyntaxError(_line(node), f"expression nested deeper than {MAX_EXPR_DEPTH}")
        try:
            if node.type == "expression":
                return self.seq(node.children)
            return self.seq([node])
        finally:
            self.depth -= 1

    def seq(self, nodes: list[Node]) -> Expr:
        """A term followed by postfix steps (attribute, index, splat)."""
        nodes = [n for n in nodes if n.type != "comment"]
        if not nodes:
            raise HclSyntaxError(0, "empty expression")
        first = nodes[0]
        rest_at = 1
        if first.type == "(":
            base = self.expr(nodes[1])
            rest_at = 3
            steps = self.steps(nodes[rest_at:])
            return Postfix(_line(first), base, steps) if steps else base
        steps = self.steps(nodes[rest_at:])
        if first.type == "variable_expr":
            return Traversal(_line(first), self.text(first), steps)
        base = self.term(first)
        return Postfix(_line(first), base, steps) if steps else base

    def steps(self, nodes: list[Node]) -> list[Step]:
        out: list[Step] = []
        for node in nodes:
            t = node.type
            if t == "get_attr":
                out.append(GetAttr(self.text(node.named_children[-1])))
            elif t == "index":
                inner = node.named_children[0]
                if inner.type == "legacy_index":
                    out.append(Index(Lit(_line(inner), int(self.text(inner).lstrip(".")))))
                else:
                    out.append(Index(self.expr(inner.named_children[0])))
            elif t == "splat":
                sp = node.named_children[0]
                out.append(Splat(self.steps(sp.named_children)))
            elif t in ("full_splat", "attr_splat"):
                out.append(Splat(self.steps(node.named_children)))
            elif t in ("comment", "[*]", ".*"):
                continue
            else:
                raise HclSyntaxError(_line(node), f"unexpected {t} in traversal")
        return out

    def term(self, node: Node) -> Expr:
        t = node.type
        line = _line(node)
        if t == "expression":
            return self.expr(node)
        if t == "literal_value":
            return self.literal(node.named_children[0])
        if t == "collection_value":
            return self.collection(node.named_children[0])
        if t == "template_expr":
            return self.template_expr(node.named_children[0])
        if t == "function_call":
            return self.call(node)
        if t == "for_expr":
            return self.for_expr(node.named_children[0])
        if t == "operation":
            return self.operation(node.named_children[0])
        if t in ("binary_operation", "unary_operation"):
            return self.operation(node)
        if t == "conditional":
            return self.conditional(node)
        if t in ("tuple", "object"):
            return self.collection(node)
        if t in ("string_lit", "numeric_lit", "bool_lit", "null_lit"):
            return self.literal(node)
        raise HclSyntaxError(line, f"unsupported expression {t}")

    def conditional(self, node: Node) -> Expr:
        """`a ? x : b ? y : z` is right-associative in HCL; tree-sitter-hcl nests it to the left.

        Unparenthesised chains arrive as ((a ? x : b) ? y : z); they are rebuilt as
        a ? x : (b ? y : z). A parenthesised condition keeps its meaning.
        """
        line = _line(node)
        chain: list[tuple[Node, Node]] = []  # (then, else) pairs, outermost first
        cur = node
        while True:
            parts = [c for c in cur.named_children if c.type != "comment"]
            cond_node, then_node, else_node = parts[0], parts[1], parts[2]
            chain.append((then_node, else_node))
            inner = _bare_conditional(cond_node)
            if inner is None:
                break
            cur = inner
        # innermost: cond_node ? then_1 : else_1 ; outer pairs continue from else_1
        pairs = list(reversed(chain))
        first_cond = self.expr(cond_node)
        conds: list[Expr] = [first_cond] + [self.expr(p[1]) for p in pairs[:-1]]
        thens = [self.expr(p[0]) for p in pairs]
        result: Expr = self.expr(pairs[-1][1])
        for cond, then in zip(reversed(conds), reversed(thens), strict=True):
            result = Cond(line, cond, then, result)
        return result

    def literal(self, node: Node) -> Expr:
        t = node.type
        line = _line(node)
        if t == "numeric_lit":
            try:
                return Lit(line, parse_number(self.text(node)))
            except EvalError:
                raise HclSyntaxError(line, f"invalid number {self.text(node)!r}") from None
        if t == "bool_lit":
            return Lit(line, self.text(node) == "true")
        if t == "null_lit":
            return Lit(line, None)
        if t == "string_lit":
            return Lit(line, self.string_lit(node))
        raise HclSyntaxError(line, f"unsupported literal {t}")

    def string_lit(self, node: Node) -> str:
        kids = node.children
        if len(kids) < 2:
            return ""
        raw = self.src[kids[0].end_byte : kids[-1].start_byte].decode("utf-8", "replace")
        return _unescape(raw, _line(node))

    def collection(self, node: Node) -> Expr:
        line = _line(node)
        if node.type == "tuple":
            items = [self.expr(c) for c in node.named_children if c.type == "expression"]
            return TupleExpr(line, items)
        pairs: list[tuple[Expr, Expr]] = []
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            exprs = [c for c in elem.named_children if c.type == "expression"]
            key_node, val_node = exprs[0], exprs[-1]
            pairs.append((self.object_key(key_node), self.expr(val_node)))
        return ObjectExpr(line, pairs)

    def object_key(self, node: Node) -> Expr:
        kids = [c for c in node.children if c.type != "comment"]
        if len(kids) == 1 and kids[0].type == "variable_expr":
            return Lit(_line(node), self.text(kids[0]))
        return self.expr(node)

    def call(self, node: Node) -> Expr:
        name = ""
        args: list[Expr] = []
        expand = False
        for child in node.named_children:
            if child.type == "identifier":
                name = self.text(child)
            elif child.type == "function_arguments":
                for arg in child.named_children:
                    if arg.type == "expression":
                        args.append(self.expr(arg))
                    elif arg.type == "ellipsis":
                        expand = True
        return Call(_line(node), name, args, expand)

    def for_expr(self, node: Node) -> Expr:
        line = _line(node)
        intro = None
        exprs: list[Node] = []
        cond: Expr | None = None
        group = False
        for child in node.named_children:
            t = child.type
            if t == "for_intro":
                intro = child
            elif t == "expression":
                exprs.append(child)
            elif t == "for_cond":
                cond = self.expr(child.named_children[-1])
            elif t == "ellipsis":
                group = True
        if intro is None or not exprs:
            raise HclSyntaxError(line, "malformed for expression")
        idents = [self.text(c) for c in intro.named_children if c.type == "identifier"]
        coll_node = [c for c in intro.named_children if c.type == "expression"][0]
        kvar, vvar = (idents[0], idents[1]) if len(idents) > 1 else (None, idents[0])
        coll = self.expr(coll_node)
        if node.type == "for_object_expr":
            return ForExpr(
                line, kvar, vvar, coll, self.expr(exprs[0]), self.expr(exprs[1]), cond, group
            )
        return ForExpr(line, kvar, vvar, coll, None, self.expr(exprs[0]), cond, False)

    def operation(self, node: Node) -> Expr:
        line = _line(node)
        kids = [c for c in node.children if c.type != "comment"]
        if node.type == "unary_operation":
            return Unary(line, kids[0].type, self.seq(kids[1:]))
        for i, kid in enumerate(kids):
            if i > 0 and not kid.is_named and kid.type in _BINARY_OPS:
                return BinOp(line, kid.type, self.seq(kids[:i]), self.seq(kids[i + 1 :]))
        raise HclSyntaxError(line, "malformed operation")

    # ---- templates -------------------------------------------------------------------------

    def template_expr(self, node: Node) -> Expr:
        line = _line(node)
        kids = node.children
        if node.type == "quoted_template":
            parts = self.template_parts(kids[1:-1], kids[0].end_byte, kids[-1].start_byte, True)
            return Template(line, parts or [""])
        # heredoc: <<ID / <<-ID, content lines, closing ID
        idents = [c for c in kids if c.type == "heredoc_identifier"]
        start_tok = kids[0]
        indent = start_tok.text is not None and b"-" in start_tok.text
        open_id = idents[0]
        nl = self.src.find(b"\n", open_id.end_byte)
        start = nl + 1 if nl >= 0 else open_id.end_byte
        if len(idents) > 1:
            close = idents[-1]
            end = self.src.rfind(b"\n", 0, close.start_byte) + 1
            end = max(end, start)
        else:
            end = node.end_byte
        content = [c for c in kids if c.start_byte >= start and c.end_byte <= end]
        saved = self.dedent
        self.dedent = _common_indent(self.src[start:end]) if indent else 0
        try:
            parts = self.template_parts(content, start, end, False)
        finally:
            self.dedent = saved
        return Template(line, parts or [""])

    def template_parts(
        self, kids: list[Node], start: int, end: int, quoted: bool
    ) -> list[str | Expr]:
        parts: list[str | Expr] = []
        strip_next = False
        pos = start
        for kid in kids:
            t = kid.type
            if t in ("template_literal", "comment"):
                continue
            if t not in ("template_interpolation", "template_directive"):
                continue
            self._literal(parts, pos, kid.start_byte, quoted, strip_next)
            left, right = _strip_flags(kid if t == "template_interpolation" else _first(kid))
            if left:
                _rstrip_last(parts)
            if t == "template_interpolation":
                inner = [c for c in kid.named_children if c.type == "expression"]
                if inner:
                    parts.append(self.expr(inner[0]))
                strip_next = right
            else:
                expr, strip_next = self.directive(kid.named_children[0], quoted)
                parts.append(expr)
            pos = kid.end_byte
        self._literal(parts, pos, end, quoted, strip_next)
        return parts

    def _literal(self, parts: list[str | Expr], a: int, b: int, quoted: bool, strip: bool) -> None:
        if b <= a:
            return
        raw = self._dedented(a, b) if self.dedent else self.src[a:b].decode("utf-8", "replace")
        text = _unescape(raw, 0) if quoted else _heredoc_unescape(raw)
        if strip:
            text = text.lstrip()
        if text:
            if parts and isinstance(parts[-1], str):
                parts[-1] = parts[-1] + text
            else:
                parts.append(text)

    def _dedented(self, a: int, b: int) -> str:
        out = bytearray()
        pos = a
        src = self.src
        while pos < b:
            if src[pos - 1 : pos] == b"\n":
                cut = 0
                while cut < self.dedent and pos < b and src[pos] in (0x20, 0x09):
                    pos += 1
                    cut += 1
            nl = src.find(b"\n", pos, b)
            stop = b if nl < 0 else nl + 1
            out += src[pos:stop]
            pos = stop
        return out.decode("utf-8", "replace")

    def directive(self, node: Node, quoted: bool) -> tuple[Expr, bool]:
        """A `%{if}` or `%{for}` directive; returns it and whether it strips what follows."""
        line = _line(node)
        kids = node.named_children
        if node.type == "template_if":
            intro = kids[0]
            end_node = kids[-1]
            else_node = next((k for k in kids if k.type == "template_else_intro"), None)
            cond_node = next(c for c in intro.named_children if c.type == "expression")
            cond = self.expr(cond_node)
            then_end = else_node.start_byte if else_node is not None else end_node.start_byte
            then_kids = [k for k in kids if intro.end_byte <= k.start_byte < then_end]
            then = self._section(then_kids, intro, else_node or end_node, quoted)
            other = None
            if else_node is not None:
                else_kids = [
                    k for k in kids if else_node.end_byte <= k.start_byte < end_node.start_byte
                ]
                other = self._section(else_kids, else_node, end_node, quoted)
            return TemplateIf(line, cond, then, other), _strip_flags(end_node)[1]
        if node.type == "template_for":
            intro = kids[0]
            end_node = kids[-1]
            idents = [self.text(c) for c in intro.named_children if c.type == "identifier"]
            coll_node = next(c for c in intro.named_children if c.type == "expression")
            kvar, vvar = (idents[0], idents[1]) if len(idents) > 1 else (None, idents[0])
            body_kids = [k for k in kids if intro.end_byte <= k.start_byte < end_node.start_byte]
            body = self._section(body_kids, intro, end_node, quoted)
            return (
                TemplateFor(line, kvar, vvar, self.expr(coll_node), body),
                _strip_flags(end_node)[1],
            )
        raise HclSyntaxError(line, f"unsupported template directive {node.type}")

    def _section(self, kids: list[Node], opener: Node, closer: Node, quoted: bool) -> Template:
        parts = self.template_parts(kids, opener.end_byte, closer.start_byte, quoted)
        if _strip_flags(opener)[1] and parts and isinstance(parts[0], str):
            parts[0] = parts[0].lstrip()
            if not parts[0]:
                parts.pop(0)
        if _strip_flags(closer)[0]:
            _rstrip_last(parts)
        if len(parts) == 1 and not isinstance(parts[0], str):
            parts.append("")
        return Template(_line(opener), parts or [""])


def _bare_conditional(node: Node) -> Node | None:
    """The conditional node an unparenthesised condition expression consists of, if any."""
    kids = [c for c in node.children if c.type != "comment"]
    if node.type == "conditional":
        return node
    if node.type == "expression" and len(kids) == 1 and kids[0].type == "conditional":
        return kids[0]
    return None


def _first(node: Node) -> Node:
    kids = node.named_children
    return kids[0].named_children[0] if kids and kids[0].named_children else node


def _strip_flags(node: Node) -> tuple[bool, bool]:
    """(strip whitespace before, strip whitespace after) from `~` markers in a delimiter."""
    kids = node.children
    left = len(kids) > 1 and kids[1].type == "strip_marker"
    right = len(kids) > 1 and kids[-2].type == "strip_marker"
    return left, right


def _rstrip_last(parts: list[str | Expr]) -> None:
    if parts and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip()
        if not parts[-1]:
            parts.pop()


def _common_indent(raw: bytes) -> int:
    """The smallest indentation of the non-blank lines of a `<<-` heredoc."""
    widths = [
        len(line) - len(line.lstrip(b" \t")) for line in raw.split(b"\n") if line.strip(b" \t")
    ]
    return min(widths) if widths else 0


def literal_value(expr: Expr) -> Any:
    """The value of an expression that needs no scope (a literal string label, source...)."""
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
        return "".join(p for p in expr.parts if isinstance(p, str))
    return None
