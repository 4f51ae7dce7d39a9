// GOV.UK Frontend's JavaScript with only the components the portal's templates use
// (scripts/vendor.sh bundles it into static/vendor/govuk-frontend/govuk-frontend.min.js).
// The same `initAll` as GOV.UK Frontend's, over fewer components: about half the bytes.
// A template that starts using Accordion, Tabs, Exit this page or the enhanced File
// upload needs its component added here (tests/web/test_static.py checks).
import {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
  createAll,
  isSupported,
} from "govuk-frontend";

export { createAll, isSupported, version } from "govuk-frontend";

export const COMPONENTS = [
  [Button, "button"],
  [CharacterCount, "characterCount"],
  [Checkboxes],
  [ErrorSummary, "errorSummary"],
  [NotificationBanner, "notificationBanner"],
  [PasswordInput, "passwordInput"],
  [Radios],
  [ServiceNavigation],
  [SkipLink],
];

export function initAll(scopeOrConfig = {}) {
  const isElement = scopeOrConfig instanceof Element || scopeOrConfig instanceof Document;
  const config = isElement ? {} : scopeOrConfig;
  const options = {
    scope: isElement ? scopeOrConfig : (config.scope ?? document),
    onError: config.onError,
  };
  if (!isSupported() || options.scope === null) return;
  for (const [Component, key] of COMPONENTS) {
    createAll(Component, key ? config[key] : undefined, options);
  }
}
