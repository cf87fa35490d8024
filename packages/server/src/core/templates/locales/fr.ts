import { LATIN_FONTS, type LocaleStrings } from '../strings.js';

// French typography puts a no-break space (\u00a0) before ":", "?" and "!".
export const fr: LocaleStrings = {
  locale: 'fr',
  fontFamily: LATIN_FONTS,
  lineHeight: 24,
  greeting: 'Bonjour {user},',
  greetingAnon: 'Bonjour,',
  codeLabel: 'Code de vérification',
  expiry: 'Ce code expire dans {minutes} minutes.',
  noShare: 'Ne communiquez jamais ce code à qui que ce soit. {company} ne vous le demandera jamais.',
  sentBy: 'Cet e-mail vous a été envoyé par {company}',
  help: 'Besoin d’aide\u00a0? Écrivez-nous à {support}.',
  types: {
    SignIn: {
      subject: 'Votre code de connexion à {app}',
      heading: 'Connexion à {app}',
      intro: 'Saisissez ce code pour terminer votre connexion\u00a0:',
      ignore: 'Si vous n’avez pas essayé de vous connecter, vous pouvez ignorer cet e-mail. Quelqu’un a peut-être saisi votre adresse par erreur\u00a0; personne ne peut se connecter sans ce code.',
    },
    Register: {
      subject: 'Confirmez votre adresse e-mail pour {app}',
      heading: 'Bienvenue sur {app}',
      intro: 'Saisissez ce code pour confirmer votre adresse e-mail et terminer la création de votre compte\u00a0:',
      ignore: 'Si vous n’avez pas créé de compte, vous pouvez ignorer cet e-mail. Aucun compte ne sera créé sans ce code.',
    },
    ForgotPassword: {
      subject: 'Réinitialisez votre mot de passe {app}',
      heading: 'Réinitialisation du mot de passe',
      intro: 'Saisissez ce code pour choisir un nouveau mot de passe\u00a0:',
      ignore: 'Si vous n’avez pas demandé à réinitialiser votre mot de passe, vous pouvez ignorer cet e-mail. Votre mot de passe ne changera pas.',
    },
    Generic: {
      subject: 'Votre code de vérification pour {app}',
      heading: 'Votre code de vérification',
      intro: 'Voici le code de vérification que vous avez demandé\u00a0:',
      ignore: 'Si vous n’avez pas demandé ce code, vous pouvez ignorer cet e-mail.',
    },
    OrganizationInvitation: {
      subject: '{inviter} vous invite à rejoindre {org} sur {app}',
      subjectNoInviter: 'Invitation à rejoindre {org} sur {app}',
      heading: 'Rejoignez {org} sur {app}',
      intro: '{inviter} vous invite à rejoindre l’organisation {org} sur {app}.',
      introNoInviter: 'Vous avez reçu une invitation à rejoindre l’organisation {org} sur {app}.',
      button: 'Accepter l’invitation',
      linkHint: 'Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur\u00a0:',
      expiry: 'Cette invitation expire dans {duration}.',
      ignore: 'Si vous n’attendiez pas cette invitation, vous pouvez ignorer cet e-mail. Vous ne rejoindrez rien tant que vous ne l’aurez pas acceptée.',
    },
    UserPermissionValidation: {
      subject: 'Confirmez votre action sur {app}',
      heading: 'Confirmez qu’il s’agit bien de vous',
      intro: 'Vous êtes sur le point d’apporter une modification sensible à votre compte. Saisissez ce code pour la confirmer\u00a0:',
      ignore: 'Si vous n’êtes pas à l’origine de cette demande, ne communiquez pas ce code\u00a0: quelqu’un essaie peut-être de modifier votre compte. Changez votre mot de passe et contactez {company}.',
    },
    BindNewIdentifier: {
      subject: 'Vérifiez votre nouvelle adresse e-mail pour {app}',
      heading: 'Vérifiez votre nouvelle adresse e-mail',
      intro: 'Saisissez ce code pour ajouter cette adresse e-mail à votre compte {app}\u00a0:',
      ignore: 'Si vous n’avez pas demandé à ajouter cette adresse, vous pouvez ignorer cet e-mail. Votre compte ne sera pas modifié.',
    },
    MfaVerification: {
      subject: 'Votre code de vérification en deux étapes pour {app}',
      heading: 'Vérification en deux étapes',
      intro: 'Saisissez ce code pour terminer votre connexion à {app}\u00a0:',
      ignore: 'Si vous n’étiez pas en train de vous connecter, quelqu’un connaît peut-être votre mot de passe. Ne communiquez pas ce code et changez votre mot de passe dès maintenant.',
    },
    BindMfa: {
      subject: 'Activez la vérification en deux étapes pour {app}',
      heading: 'Activez la vérification en deux étapes par e-mail',
      intro: 'Saisissez ce code pour utiliser cette adresse e-mail pour la vérification en deux étapes sur {app}\u00a0:',
      ignore: 'Si vous n’avez rien demandé, vous pouvez ignorer cet e-mail. Vos paramètres de connexion ne changeront pas.',
    },
  },
  sample: {
    userName: 'Camille Dubois',
    inviterName: 'Julien Martin',
    organizationName: 'Comptoir du Nord',
    applicationName: 'Acme Cloud',
    companyName: 'Acme SAS',
    companyInformation: 'Acme SAS, 10 rue de la Paix, 75002 Paris',
  },
};
