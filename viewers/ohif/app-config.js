/**
 * OHIF v3 (3.12) configured for a pacslite archive.
 *
 * The DICOMweb root and an optional API token come from window.PACSLITE,
 * which `serve-ohif` (cmd/ohif-serve) writes in front of this file:
 *
 *   window.PACSLITE = { dicomweb: 'http://127.0.0.1:8042/dicomweb', token: '' };
 *
 * Without it (this file copied next to OHIF's index.html and served by any
 * static server) the archive is http://127.0.0.1:8042/dicomweb, anonymous.
 *
 * The token is sent as "Authorization: Bearer TOKEN" on every DICOMweb
 * request (create one with `pacslite token create --name ohif --scope
 * dicomweb:read`). OHIF 3.12's DICOMweb data source takes its Authorization
 * header from the user authentication service, not from requestOptions, so
 * a tiny inline extension sets that service up. Anyone who can open the
 * viewer can read the token: use it only for a viewer on a trusted network,
 * or serve OHIF from the portal's own site (the session cookie then works).
 */
(function () {
  const pacslite = window.PACSLITE || {};
  let root = (pacslite.dicomweb || 'http://127.0.0.1:8042/dicomweb').replace(/\/+$/, '');
  let token = pacslite.token || '';
  // A share recipient's "Open in OHIF" passes the share's own DICOMweb root
  // (?dicomweb=https://site/s/TOKEN/dicomweb), which reaches that one study
  // only. Accept it only on this page's or the archive's origin, so a link
  // cannot point the viewer at another server.
  const shared = new URLSearchParams(window.location.search).get('dicomweb');
  if (shared) {
    try {
      const u = new URL(shared, window.location.href);
      const origins = [window.location.origin, new URL(root).origin];
      if (origins.includes(u.origin) && /\/s\/[^/]+\/dicomweb\/?$/.test(u.pathname)) {
        root = u.href.replace(/\/+$/, '');
        token = ''; // the share authorises by its path, not by our token
      }
    } catch (e) {
      // not a URL: keep the configured archive
    }
  }

  const extensions = [];
  if (token) {
    extensions.push({
      id: 'pacslite-bearer-token',
      preRegistration({ servicesManager }) {
        servicesManager.services.userAuthenticationService.setServiceImplementation({
          getAuthorizationHeader: () => ({ Authorization: 'Bearer ' + token }),
        });
      },
    });
  }

  window.config = {
    routerBasename: null,
    extensions,
    modes: [],
    customizationService: {},
    showStudyList: true,
    maxNumberOfWebWorkers: 3,
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: true,
    showLoadingIndicator: true,
    strictZSpacingForVolumeViewport: true,
    groupEnabledModesFirst: true,
    maxNumRequests: { interaction: 100, thumbnail: 75, prefetch: 25 },
    showErrorDetails: 'always',
    defaultDataSourceName: 'pacslite',
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: 'pacslite',
        configuration: {
          friendlyName: 'pacslite',
          name: 'pacslite',
          qidoRoot: root,
          wadoRoot: root,
          wadoUriRoot: root,
          qidoSupportsIncludeField: true,
          supportsFuzzyMatching: true,
          supportsWildcard: true,
          imageRendering: 'wadors',
          thumbnailRendering: 'wadors',
          enableStudyLazyLoad: true,
          supportsReject: false,
          supportsStow: false,
          dicomUploadEnabled: false,
          omitQuotationForMultipartRequest: true,
          bulkDataURI: { enabled: true },
        },
      },
    ],
  };
})();
