import type { Catalogue } from '../catalogues.js'

/** Français. Complete: the type `Catalogue` refuses a missing key. */
export const fr: Catalogue = {
  'page.titleSuffix': '{title} · {product}',

  'signIn.title': 'Connexion',
  'signIn.lead': 'pour continuer vers <b>{app}</b>',
  'field.email': 'Adresse e-mail',
  'field.password': 'Mot de passe',
  'field.newPassword': 'Nouveau mot de passe',
  'field.currentPassword': 'Mot de passe actuel',
  'signIn.submit': 'Se connecter',
  'signIn.forgot': 'Mot de passe oublié ?',
  'signIn.createAccount': 'Créer un compte',
  'signIn.resendVerification': 'Renvoyer le lien de confirmation',
  'signUp.title': 'Créer un compte',
  'signUp.passwordHint': 'Au moins {min} caractères. Une longue phrase est idéale.',
  'signUp.submit': 'Créer le compte',
  'signUp.haveAccount': 'J’ai déjà un compte',

  'secondFactor.title': 'Vérification en deux étapes',
  'secondFactor.totpLabel': 'Code de votre application d’authentification',
  'secondFactor.verify': 'Vérifier',
  'secondFactor.recoveryLabel': 'Ou un code de secours',
  'secondFactor.useRecovery': 'Utiliser un code de secours',

  'consent.title': 'Autoriser l’accès',
  'consent.heading': 'Autoriser {app} ?',
  'consent.lead': 'Connecté en tant que <b>{email}</b>. <b>{app}</b> demande à :',
  'consent.allow': 'Autoriser',
  'consent.deny': 'Refuser',
  'scope.openid': 'Savoir qui vous êtes (votre identifiant)',
  'scope.profile': 'Voir votre profil de base',
  'scope.email': 'Voir votre adresse e-mail',
  'scope.offline_access': 'Rester connecté quand vous ne l’utilisez pas',
  'scope.other': 'Utiliser la permission « {scope} »',

  'error.title': 'Un problème est survenu',
  'error.back': 'Revenez à l’application et réessayez.',
  'signedOut.title': 'Déconnecté',
  'signedOut.heading': 'Vous êtes déconnecté',
  'page.closeWindow': 'Vous pouvez fermer cette fenêtre.',
  'logout.title': 'Déconnexion',
  'logout.heading': 'Se déconnecter de {product} ?',
  'logout.body': 'Vous serez déconnecté de toutes les applications qui utilisent ce compte {product} dans ce navigateur.',
  'logout.submit': 'Se déconnecter',

  'error.csrf_rejected': 'Ce formulaire a été envoyé depuis un autre site et a été refusé.',
  'error.unknown_client': 'L’application n’est pas enregistrée sur ce serveur.',
  'error.redirect_uri_mismatch': 'L’application a indiqué une adresse de retour qu’elle n’a pas enregistrée.',
  'error.invalid_request': 'La requête n’est pas valide.',
  'error.flow_expired':
    'Cette demande de connexion a expiré ou a été commencée dans un autre navigateur. Revenez à l’application et réessayez.',
  'error.csrf_token_invalid': 'Ce formulaire a expiré. Revenez à l’application et réessayez.',
  'error.duplicate_session_cookie':
    'Votre navigateur a envoyé deux cookies de session pour ce site : aucun n’est fiable. Effacez les cookies de ce site et réessayez.',
  'error.invalid_email': 'Ce n’est pas une adresse e-mail.',
  'error.invalid_credentials': 'L’adresse e-mail ou le mot de passe est incorrect.',
  'error.too_many_attempts': 'Trop de tentatives échouées. Réessayez plus tard.',
  'error.rate_limited': 'Trop de demandes. Patientez un moment et réessayez.',
  'error.user_disabled': 'Ce compte est désactivé.',
  'error.email_taken': 'Un compte existe déjà avec cette adresse e-mail.',
  'error.email_not_verified':
    'Confirmez d’abord votre adresse e-mail : ouvrez le lien du message que nous vous avons envoyé, ou demandez-en un nouveau.',
  'error.email_unavailable': 'Ce serveur ne peut pas envoyer d’e-mail pour le moment.',
  'error.password_too_short': 'Le mot de passe est trop court.',
  'error.password_too_long': 'Le mot de passe est trop long.',
  'error.password_too_common': 'Ce mot de passe est trop facile à deviner. Choisissez-en un autre.',
  'error.invalid_mfa_code': 'Le code est incorrect, expiré ou déjà utilisé.',
  'error.reauthentication_required':
    'Saisissez votre mot de passe actuel : le changer demande une connexion datant de quelques minutes au plus.',
  'error.verification_code_invalid': 'Le code est incorrect ou a expiré.',
  'error.verification_code_exhausted': 'Trop de codes incorrects. Demandez un nouveau message.',
  'error.account_token_invalid': 'Ce lien n’est pas valide. Copiez le lien complet depuis le message, ou demandez-en un nouveau.',
  'error.account_token_expired': 'Ce lien a expiré. Demandez-en un nouveau.',
  'error.account_token_used': 'Ce lien a déjà été utilisé, ou un lien plus récent a été envoyé. Demandez-en un nouveau si besoin.',
  'error.logoutInvalid': 'La demande de déconnexion n’est pas valide. Vous n’avez pas été déconnecté.',
  'error.session_not_found': 'Cette session n’est plus active.',

  'forgot.title': 'Mot de passe oublié ?',
  'forgot.lead': 'Saisissez votre adresse e-mail : nous vous enverrons un lien pour choisir un nouveau mot de passe.',
  'forgot.submit': 'Envoyer le lien',
  'checkEmail.title': 'Consultez vos e-mails',
  'resetRequested.body':
    'Si un compte utilise cette adresse, un message avec un lien pour choisir un nouveau mot de passe est en route. Le lien fonctionne une fois, pendant {minutes, plural, one {# minute} other {# minutes}}.',
  'reset.title': 'Choisissez un nouveau mot de passe',
  'reset.submit': 'Enregistrer le nouveau mot de passe',
  'resetDone.title': 'Mot de passe modifié',
  'resetDone.heading': 'Votre mot de passe a été modifié',
  'resetDone.body':
    'Tous les appareils connectés à votre compte ont été déconnectés. Revenez à l’application et connectez-vous avec votre nouveau mot de passe.',
  'verify.title': 'Confirmez votre adresse e-mail',
  'verify.submit': 'Confirmer mon adresse',
  'verified.title': 'Adresse confirmée',
  'verified.body': '<b>{email}</b> est confirmée.',
  'linkError.title': 'Ce lien ne peut pas être utilisé',
  'linkError.newReset': 'Demander un nouveau lien de mot de passe',
  'checkEmail.signUpBody':
    'Un message est en route vers l’adresse saisie. Ouvrez le lien qu’il contient pour confirmer votre adresse, puis connectez-vous.',
  'checkEmail.resend': 'Pas de message ? Le renvoyer',
  'checkEmail.signIn': 'J’ai confirmé mon adresse : me connecter',
  'resend.title': 'Renvoyer la confirmation',
  'resend.lead': 'Saisissez votre adresse e-mail : nous vous enverrons un nouveau lien pour la confirmer.',
  'resend.body': 'Si un compte avec cette adresse attend sa confirmation, un nouveau message avec un lien est en route.',

  'email.supportFallback': 'répondez à ce message',
  'email.copyLink': 'Ou copiez cette adresse dans votre navigateur :',
  'email.verify_email.subject': 'Confirmez votre adresse e-mail pour {product}',
  'email.verify_email.p1':
    'Confirmez que {email} est bien votre adresse en ouvrant le lien ci-dessous. Il fonctionne une fois, pendant {hours, plural, one {# heure} other {# heures}}.',
  'email.verify_email.p2': 'Si vous n’avez pas créé de compte {product}, ignorez ce message : rien ne se passe sans le lien.',
  'email.verify_email.action': 'Confirmer mon adresse',
  'email.verify_email.code': 'Ou saisissez ce code là où vous vous êtes inscrit (valable 10 minutes) :',
  'email.password_reset.subject': 'Réinitialisez votre mot de passe {product}',
  'email.password_reset.p1':
    'Quelqu’un a demandé à réinitialiser le mot de passe du compte {product} de {email}. Si c’était vous, choisissez un nouveau mot de passe avec le lien ci-dessous. Il fonctionne une fois, pendant {minutes, plural, one {# minute} other {# minutes}}.',
  'email.password_reset.p2': 'Si ce n’était pas vous, ignorez ce message : votre mot de passe ne change pas.',
  'email.password_reset.action': 'Choisir un nouveau mot de passe',
  'email.password_changed.subject': 'Votre mot de passe {product} a été modifié',
  'email.password_changed.p1':
    'Le mot de passe du compte {product} de {email} a été modifié, et tous les appareils qui y étaient connectés ont été déconnectés.',
  'email.password_changed.p2':
    'Si vous n’êtes pas à l’origine de ce changement, réinitialisez votre mot de passe immédiatement et prévenez-nous : {support}.',
  'email.email_change_confirm.subject': 'Confirmez votre nouvelle adresse e-mail pour {product}',
  'email.email_change_confirm.p1':
    'Quelqu’un a demandé à utiliser {email} comme adresse d’un compte {product}. Si c’était vous, confirmez avec le lien ci-dessous. Il fonctionne une fois, pendant {hours, plural, one {# heure} other {# heures}}.',
  'email.email_change_confirm.p2': 'Tant qu’elle n’est pas confirmée, le compte garde son ancienne adresse.',
  'email.email_change_confirm.action': 'Confirmer ma nouvelle adresse',
  'email.email_change_notice.subject': 'Un changement d’adresse e-mail a été demandé sur votre compte {product}',
  'email.email_change_notice.p1':
    'Une personne connectée au compte {product} de {email} a demandé à le déplacer vers {newEmail}. Rien ne change tant que la nouvelle adresse n’est pas confirmée.',
  'email.email_change_notice.p2':
    'Si ce n’était pas vous, changez votre mot de passe maintenant : cela annule la demande et déconnecte tous les appareils. Questions : {support}.',
  'email.email_changed.subject': 'L’adresse e-mail de votre compte {product} a été modifiée',
  'email.email_changed.p1': 'Le compte {product} qui utilisait {email} utilise désormais une autre adresse.',
  'email.email_changed.p2': 'Si vous n’êtes pas à l’origine de ce changement, prévenez-nous immédiatement : {support}.',
  'email.sign_up_attempt.subject': 'Quelqu’un a tenté de s’inscrire à {product} avec votre adresse',
  'email.sign_up_attempt.p1':
    'Quelqu’un a tenté de créer un compte {product} avec {email}, qui en a déjà un. Aucun nouveau compte n’a été créé.',
  'email.sign_up_attempt.p2':
    'Si c’était vous, connectez-vous plutôt, ou réinitialisez votre mot de passe si vous l’avez oublié. Sinon, vous n’avez rien à faire.',
}
