/**
 * Razorpay's error envelope: `{"error": {"code", "description", "field", "source", "step",
 * "reason", "metadata"}}` (https://razorpay.com/docs/errors).
 */
export interface RzpError {
  status: number;
  body: {
    error: {
      code: 'BAD_REQUEST_ERROR' | 'GATEWAY_ERROR' | 'SERVER_ERROR';
      description: string;
      field: string | null;
      source: string;
      step: string;
      reason: string;
      metadata: Record<string, string>;
    };
  };
}

export function badRequest(
  description: string,
  field: string | null = null,
  reason = 'input_validation_failed',
): RzpError {
  return {
    status: 400,
    body: {
      error: {
        code: 'BAD_REQUEST_ERROR',
        description,
        field,
        source: 'business',
        step: 'payment_initiation',
        reason,
        metadata: {},
      },
    },
  };
}

export function faultError(status: number): RzpError {
  if (status === 401) {
    return {
      status,
      body: {
        error: {
          code: 'BAD_REQUEST_ERROR',
          description: 'Authentication failed',
          field: null,
          source: 'NA',
          step: 'NA',
          reason: 'NA',
          metadata: {},
        },
      },
    };
  }
  if (status === 429) {
    return {
      status,
      body: {
        error: {
          code: 'BAD_REQUEST_ERROR',
          description: 'Too many requests',
          field: null,
          source: 'NA',
          step: 'NA',
          reason: 'NA',
          metadata: {},
        },
      },
    };
  }
  return {
    status,
    body: {
      error: {
        code: 'SERVER_ERROR',
        description: 'The server encountered an error. The incident has been reported to admins.',
        field: null,
        source: 'NA',
        step: 'NA',
        reason: 'NA',
        metadata: {},
      },
    },
  };
}
