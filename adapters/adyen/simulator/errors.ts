/**
 * Adyen's error envelope, `ServiceError {status, errorCode, message, errorType, pspReference}`
 * (CheckoutService-v71, https://docs.adyen.com/development-resources/error-codes).
 */
export interface ServiceError {
  status: number;
  errorCode: string;
  message: string;
  errorType: 'validation' | 'security' | 'configuration' | 'internal' | 'Not Found';
  pspReference?: string;
}

export function serviceError(
  status: number,
  errorCode: string,
  message: string,
  errorType: ServiceError['errorType'],
): ServiceError {
  return { status, errorCode, message, errorType };
}

/** The body a planned fault answers with. */
export function faultError(status: number): ServiceError {
  if (status === 401) return serviceError(401, '000', 'HTTP Status Response - Unauthorized', 'security');
  if (status === 429) return serviceError(429, '000', 'Too many requests', 'internal');
  return serviceError(status, '000', 'Internal error', 'internal');
}
