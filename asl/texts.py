"""JSONata expressions that turn ledger items and query results into readable email text.

Ledger items arrive in DynamoDB's typed form ({"landed": {"N": "2"}}); these expressions read them
directly so no state has to convert them first.
"""

from __future__ import annotations

from asl.builders import quote

SUBJECT_LIMIT = 99  # SNS subjects must be under 100 characters


def subject(stack: str, batch: str, outcome: str) -> str:
    """`[dev] batch 2026-12-03-a1b2: 2 files, 0 failed, <outcome>`, cut to SNS's limit."""
    return (
        f"$substring({quote(f'[{stack}] batch ')} & {batch}.batchId.S & ': ' & "
        f"{batch}.total.N & ' files, ' & {batch}.failed.N & ' failed, ' & {outcome}, 0, {SUBJECT_LIMIT})"
    )


def alert_subject(stack: str, text: str) -> str:
    """`[dev] <text>` for alerts, cut to SNS's limit; `text` is a JSONata string expression."""
    return f"$substring({quote(f'[{stack}] ')} & {text}, 0, {SUBJECT_LIMIT})"


def batch_summary(batch: str) -> str:
    """Lines describing a batch: counts, bytes, timings and each failed file."""
    return f"""(
  $failures := {batch}.failures.L.M;
  $join([
    'Batch:    ' & {batch}.batchId.S,
    'Files:    ' & {batch}.total.N & ' requested, ' & {batch}.landed.N & ' landed, ' & {batch}.failed.N & ' failed',
    'Bytes:    ' & {batch}.bytes.N & ' landed',
    'Started:  ' & {batch}.startedAt.S,
    'Settled:  ' & ($exists({batch}.settledAt.S) ? {batch}.settledAt.S : $now()),
    'Landing:  s3:/' & {batch}.landingDirectory.S,
    $count($failures) = 0 ? 'Failures: none' : 'Failures:',
    $map($failures, function($f) {{ '  - ' & $f.path.S & ': ' & $f.code.S & ($f.message.S = '' ? '' : ' (' & $f.message.S & ')') }})
  ], '\\n')
)"""


def result_table(result: str, max_rows: int) -> str:
    """GetQueryResults rows (header first) as an aligned text table, saying when rows were cut."""
    return f"""(
  $rows := {result}.ResultSet.Rows;
  $cell := function($d) {{ $exists($d.VarCharValue) ? $d.VarCharValue : 'NULL' }};
  $columns := [0..$count($rows[0].Data) - 1];
  $widths := $map($columns, function($i) {{ $max($rows.$length($cell(Data[$i]))) }});
  $line := function($row) {{ $replace($join($map($columns, function($i) {{ $pad($cell($row.Data[$i]), $widths[$i]) }}), '  '), /\\s+$/, '') }};
  $rule := $join($map($columns, function($i) {{ $pad('', $widths[$i], '-') }}), '  ');
  $dataRows := $count($rows) - 1;
  $join([
    $line($rows[0]),
    $rule,
    $map($rows[[1..{max_rows}]], $line),
    $dataRows = 0 ? '(no rows)' : [],
    $exists({result}.NextToken) or $dataRows > {max_rows}
      ? '(showing the first {max_rows} rows; the full result is in the query output location)' : []
  ], '\\n')
)"""
