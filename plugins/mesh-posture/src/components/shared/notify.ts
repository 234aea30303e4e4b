import {
  alertApiRef,
  toastApiRef,
  useApiHolder,
} from '@backstage/frontend-plugin-api';

/** A short message to the user about something they did. */
export interface Notice {
  message: string;
  severity: 'success' | 'info' | 'warning' | 'error';
  /** Dismissed by itself after a few seconds; otherwise it stays until closed. */
  transient?: boolean;
}

/** How long a transient notice stays, as Backstage's AlertDisplay keeps one. */
const TRANSIENT_MS = 5000;

/**
 * Posts notices through the ToastApi, which apps on the new frontend system
 * provide (@backstage/plugin-app). AlertApi is deprecated there and warns in
 * the console on first use; it is used only in a legacy app, whose
 * core-app-api provides no ToastApi.
 */
export function useNotify(): (notice: Notice) => void {
  const apis = useApiHolder();
  const toast = apis.get(toastApiRef);
  const alert = toast ? undefined : apis.get(alertApiRef);
  return ({ message, severity, transient }) => {
    if (toast) {
      toast.post({
        title: message,
        status: severity === 'error' ? 'danger' : severity,
        ...(transient ? { timeout: TRANSIENT_MS } : {}),
      });
      return;
    }
    alert?.post({
      message,
      severity,
      display: transient ? 'transient' : 'permanent',
    });
  };
}
