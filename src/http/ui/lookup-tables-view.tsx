/**
 * The mapping editor's lookup tables: one SLDS table per map lookup, rows of from → to with a few
 * blank rows to add to, and one blank table to start a new lookup. Clearing every row and the name
 * removes a table. Cell names and parsing: lookup-tables.ts.
 */
import type { FC } from 'hono/jsx';
import { ErrorSlot } from './error-slot.js';
import { BLANK_ROWS, type LookupTable, tableSlot } from './lookup-tables.js';
import { errorSlotId } from './mapping-form.js';

const TableEditor: FC<{ index: number; table: LookupTable; message?: string | undefined }> = ({
  index,
  table,
  message,
}) => {
  const slot = tableSlot(index);
  const rows = [...table.rows, ...Array.from({ length: BLANK_ROWS }, () => ({ from: '', to: '' }))];
  return (
    <div
      class={`slds-form-element slds-m-bottom_small${message ? ' slds-has-error' : ''}`}
      data-testid={`lookup-table-${index}`}
    >
      <div class="slds-form-element__control slds-grid slds-grid_vertical-align-center slds-m-bottom_xx-small">
        <label class="slds-form-element__label" for={`lt-${index}-name`}>
          $lookups.
        </label>
        <input
          id={`lt-${index}-name`}
          name={`lt.${index}.name`}
          class="slds-input slds-text-font_monospace"
          value={table.name}
          placeholder={table.name === '' ? 'new table name' : undefined}
          aria-describedby={errorSlotId(slot)}
        />
      </div>
      <table
        class="slds-table slds-table_bordered slds-table_cell-buffer slds-table_fixed-layout"
        aria-label={table.name === '' ? 'New lookup table' : `Lookup table ${table.name}`}
      >
        <thead>
          <tr class="slds-line-height_reset">
            <th scope="col" class="slds-size_1-of-3">
              From
            </th>
            <th scope="col">To (text, or JSON starting with {'{'} or [)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, j) => (
            <tr>
              <td>
                <input
                  name={`lt.${index}.from.${j}`}
                  class="slds-input slds-text-font_monospace"
                  value={row.from}
                  aria-label={`${table.name || 'new table'} row ${j + 1} from`}
                />
              </td>
              <td>
                <input
                  name={`lt.${index}.to.${j}`}
                  class="slds-input slds-text-font_monospace"
                  value={row.to}
                  aria-label={`${table.name || 'new table'} row ${j + 1} to`}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorSlot path={slot} message={message} />
    </div>
  );
};

export const LookupTablesEditor: FC<{
  tables: LookupTable[];
  errorAt: (path: string) => string | undefined;
}> = ({ tables, errorAt }) => {
  // Always one blank table at the end, to start a new lookup.
  const shown =
    tables.at(-1)?.name === '' && tables.at(-1)?.rows.length === 0 ? tables : [...tables, { name: '', rows: [] }];
  return (
    <fieldset class="slds-form-element slds-m-vertical_small">
      <legend class="slds-form-element__legend slds-form-element__label">Lookup tables ($lookups)</legend>
      <p class="slds-text-color_weak slds-m-bottom_x-small">
        Each table maps a value of the deal to the hub's value; an expression reads one with{' '}
        <code>$lookup($lookups.name, value)</code>. Save to get more blank rows.
      </p>
      {shown.map((table, i) => (
        <TableEditor index={i} table={table} message={errorAt(tableSlot(i))} />
      ))}
    </fieldset>
  );
};
