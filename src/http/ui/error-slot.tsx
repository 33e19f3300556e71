/**
 * The slot under a form field where its error shows: set when the page renders, and swapped out of
 * band by the mapping preview as the admin types (cleared or set). The console stylesheet draws the
 * field red while its slot holds a message.
 */
import type { FC } from 'hono/jsx';
import { errorSlotId } from './mapping-form.js';

export const ErrorSlot: FC<{ path: string; message?: string | undefined; oob?: boolean }> = ({
  path,
  message,
  oob,
}) => (
  <div
    id={errorSlotId(path)}
    class="slds-form-element__help slds-text-color_error"
    role={message ? 'alert' : undefined}
    data-error-for={path}
    hx-swap-oob={oob ? 'true' : undefined}
  >
    {message ?? ''}
  </div>
);
