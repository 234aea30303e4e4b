import { Table, TableColumn } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import { useLayoutEffect, useRef } from 'react';

/**
 * Backstage's Table as the report's sections show it: every row at once,
 * in the section's card, without a toolbar, paging or sorting.
 */
export function ReportTable<T extends object>(props: {
  /** The table's accessible name. */
  label: string;
  columns: TableColumn<T>[];
  data: T[];
  /** Tells rows apart, so the table keeps each row's state between renders. */
  rowId: (row: T) => string;
  /** False when the rows say what they are without column headings. */
  header?: boolean;
}) {
  const { label, columns, data, rowId, header = true } = props;
  const ref = useRef<HTMLDivElement>(null);
  // Backstage's Table passes no aria-label on to its <table>: name it here,
  // so screen readers (and the tests) find each table by its name.
  useLayoutEffect(() => {
    ref.current?.querySelector('table')?.setAttribute('aria-label', label);
  });
  return (
    <div ref={ref}>
      <Table<T>
        columns={columns}
        data={data.map(row => ({ ...row, id: rowId(row) }))}
        options={{
          header,
          toolbar: false,
          paging: false,
          sorting: false,
          draggable: false,
          padding: 'dense',
        }}
        // The section's card is the frame: no paper of its own.
        components={{ Container: Box }}
      />
    </div>
  );
}
