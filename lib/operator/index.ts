// SPDX-License-Identifier: Apache-2.0
// lib/operator: the SeldonDeployment CRD and the operator that serves it.
export {
  SELDON_CRD_PATH, SELDON_GROUP, SELDON_KIND, seldonDeploymentCrd, validateSeldonDeployment,
  type SeldonValidation,
} from './crd.js';
